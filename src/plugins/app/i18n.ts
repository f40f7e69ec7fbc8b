import fp from 'fastify-plugin'
import { createMessages, type Language, type Messages, negotiateLanguage, type Translator } from '../../lib/i18n.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The message catalogues (src/messages/), one instance per app. */
    messages: Messages
  }
  interface FastifyRequest {
    /** The reply's language: Accept-Language, else DEFAULT_LANGUAGE. */
    language: Language
    /** Renders a message in the reply's language. */
    t: Translator
  }
}

/** Decorates the app with the catalogues and each request with its language and translator. */
export default fp(
  async (app, options: { defaultLanguage: Language }) => {
    const messages = createMessages(options.defaultLanguage)
    app.decorate('messages', messages)
    app.decorateRequest('language', 'id')
    app.decorateRequest('t', null as unknown as Translator)
    app.addHook('onRequest', async (request) => {
      const header = request.headers['accept-language']
      request.language = negotiateLanguage(typeof header === 'string' ? header : undefined, messages.defaultLanguage)
      request.t = messages.translator(request.language)
    })
  },
  { name: 'i18n' },
)
