import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
const unitRoutes: FastifyPluginAsyncTypebox = async () => {}
export default unitRoutes
