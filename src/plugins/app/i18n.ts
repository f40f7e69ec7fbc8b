import fp from 'fastify-plugin'
import {
  containsMessage,
  createMessages,
  type Language,
  type Message,
  type Messages,
  negotiateLanguage,
  renderAll,
  type Translator,
} from '../../lib/i18n.js'

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
    /** Whether the reply rendered a message (it then carries Content-Language). */
    renderedText: boolean
  }
}

/** Decorates the app with the catalogues and each request with its language and translator. */
export default fp(
  async (app, options: { defaultLanguage: Language }) => {
    const messages = createMessages(options.defaultLanguage)
    app.decorate('messages', messages)
    app.decorateRequest('language', 'id')
    app.decorateRequest('t', null as unknown as Translator)
    app.decorateRequest('renderedText', false)
    app.addHook('onRequest', async (request) => {
      const header = request.headers['accept-language']
      request.language = negotiateLanguage(typeof header === 'string' ? header : undefined, messages.defaultLanguage)
      const t = messages.translator(request.language)
      // A reply that carries a rendered text says its language (Content-Language, Vary: Accept-Language).
      request.t = Object.assign(
        (message: Message | string) => {
          request.renderedText = true
          return t(message)
        },
        { language: request.language },
      )
    })
    // Any message still in a reply body (a check, a row error) is rendered in the reply's language.
    app.addHook('preSerialization', async (request, _reply, payload: unknown) =>
      containsMessage(payload) ? renderAll(payload, request.t) : payload,
    )
    app.addHook('onSend', async (request, reply) => {
      if (!request.renderedText || reply.hasHeader('content-language')) return
      reply.header('content-language', request.language)
      const vary = reply.getHeader('vary')
      const list = Array.isArray(vary) ? vary.join(', ') : vary === undefined ? '' : String(vary)
      if (!/\baccept-language\b/i.test(list))
        reply.header('vary', list ? `${list}, Accept-Language` : 'Accept-Language')
    })
  },
  { name: 'i18n' },
)
