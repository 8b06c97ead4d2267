// The Zendesk Chat Accounts API in Fastify 5, written from the API's docs page and Fastify's docs:
// the body is validated by the route's JSON schema, authentication runs in an onRequest hook.
//
// Configuration comes from the environment: PORT, OWNER_TOKEN, ADMIN_TOKEN, AGENT_TOKEN,
// SUPPORT_CREATED=1 (an account created in Zendesk Support: every PUT is refused), and FAULT, one
// of the mistakes Fastify apps typically make (see FAULTS below), to show the suite catches it.
'use strict';

const Fastify = require('fastify');

const FAULTS = {
  'coerce-types': "keeps Fastify's default Ajv options, which coerce \"12\" to 12 and 5 to \"5\"",
  'null-billing': 'serializes a non-owner\'s account with "billing": null',
  'no-405-route': 'declares GET and PUT only, so other methods get Fastify\'s 404',
};
const FAULT = process.env.FAULT || '';
if (FAULT && !(FAULT in FAULTS)) {
  console.error(`unknown FAULT ${FAULT}; known: ${Object.keys(FAULTS).join(', ')}`);
  process.exit(2);
}

const ROLES = new Map([
  [process.env.OWNER_TOKEN || 'fastify-owner-token', 'owner'],
  [process.env.ADMIN_TOKEN || 'fastify-admin-token', 'admin'],
  [process.env.AGENT_TOKEN || 'fastify-agent-token', 'agent'],
]);
const SUPPORT_CREATED = process.env.SUPPORT_CREATED === '1';
const PATH = '/api/v2/chat/account';

const text = { type: 'string' };
// The docs' JSON format table: billing is the only writable field.
const billingSchema = {
  type: 'object',
  properties: {
    additional_info: text, address1: text, address2: text, city: text, company: text, country_code: text,
    cycle: { type: 'integer' }, email: text, first_name: text, last_name: text, phone: text, postal_code: text,
    state: text,
  },
};
const updateSchema = { type: 'object', properties: { billing: billingSchema } };

// The docs' Show Account example response.
const account = {
  account_key: 'zendesk-chat-account-key',
  billing: {
    additional_info: '', address1: '123 Fictional Street', address2: '', city: 'West Fiction',
    company: 'John and Friends', country_code: 'US', cycle: 1, email: 'jonathan@example.com',
    first_name: 'Jonathan', last_name: 'Doe', phone: '+12(1)123456', postal_code: '12345', state: 'Oklahoma',
  },
  create_date: '2014-08-06T11:02:09Z',
  plan: {
    analytics: false, file_upload: true, integrations: true,
    long_desc: 'Ideal for most Lean Teams to Engage Customers.', max_advanced_triggers: 2, max_agents: 2,
    max_basic_triggers: 2, max_concurrent_chats: 'unlimited', max_departments: 2,
    max_history_search_days: 'unlimited', name: 'team', operating_hours: false,
    short_desc: 'Great for Lean Teams', weekly_reports: false, widget_customization: 'full',
  },
  status: 'active',
};

const options = FAULT === 'coerce-types' ? {} : { ajv: { customOptions: { coerceTypes: false } } };
const fastify = Fastify(options);

function view(role) {
  if (role === 'owner') return account;
  const { billing, ...rest } = account; // billing is only available to the owner
  return FAULT === 'null-billing' ? { ...rest, billing: null } : rest;
}

fastify.addHook('onRequest', async (request, reply) => {
  const match = /^Bearer (\S+)$/.exec(request.headers.authorization || '');
  request.role = match ? ROLES.get(match[1]) : undefined;
  if (!request.role) {
    reply.header('WWW-Authenticate', 'Bearer');
    return reply.code(401).send({ error: 'Unauthorized', description: 'A valid bearer token is required' });
  }
});

fastify.get(PATH, async (request, reply) => {
  if (request.role === 'agent') return reply.code(403).send({ error: 'Forbidden', description: 'Admins only' });
  return view(request.role);
});

fastify.put(PATH, { schema: { body: updateSchema } }, async (request, reply) => {
  if (SUPPORT_CREATED) {
    return reply.code(403).send({ error: 'Forbidden', description: 'This account was created in Zendesk Support' });
  }
  if (request.role !== 'owner') {
    return reply.code(403).send({ error: 'Forbidden', description: 'Only the account owner may update the account' });
  }
  // Read-only and unknown fields are ignored, as the docs' read-only column allows.
  for (const name of Object.keys(billingSchema.properties)) {
    if (request.body.billing && name in request.body.billing) account.billing[name] = request.body.billing[name];
  }
  return view(request.role);
});

if (FAULT !== 'no-405-route') {
  fastify.route({
    method: ['POST', 'PATCH', 'DELETE'],
    url: PATH,
    handler: async (request, reply) =>
      reply.code(405).header('Allow', 'GET, PUT').send({ error: 'MethodNotAllowed', description: 'GET, PUT' }),
  });
}

const port = Number(process.env.PORT || 3000);
fastify.listen({ port, host: '127.0.0.1' }).then(
  (address) => console.log(`listening on ${address}`),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
