// The Zendesk Chat Accounts API in Express 5, written from the API's docs page and Express's guide.
//
// Configuration comes from the environment: PORT, OWNER_TOKEN, ADMIN_TOKEN, AGENT_TOKEN,
// SUPPORT_CREATED=1 (an account created in Zendesk Support: every PUT is refused), and FAULT, one
// of the mistakes Express apps typically make (see FAULTS below), to show the suite catches it.
'use strict';

const express = require('express');

const FAULTS = {
  'split-bearer': 'takes the token from `authorization.split(" ")[1]`, whatever the scheme',
  'assign-billing': 'merges the body with Object.assign, checking no type',
  'send-status': 'refuses with res.sendStatus(), a text/plain body',
};
const FAULT = process.env.FAULT || '';
if (FAULT && !(FAULT in FAULTS)) {
  console.error(`unknown FAULT ${FAULT}; known: ${Object.keys(FAULTS).join(', ')}`);
  process.exit(2);
}

const ROLES = {
  [process.env.OWNER_TOKEN || 'express-owner-token']: 'owner',
  [process.env.ADMIN_TOKEN || 'express-admin-token']: 'admin',
  [process.env.AGENT_TOKEN || 'express-agent-token']: 'agent',
};
const SUPPORT_CREATED = process.env.SUPPORT_CREATED === '1';

// The docs' JSON format table: billing is the only writable field.
const BILLING_TYPES = {
  additional_info: 'string', address1: 'string', address2: 'string', city: 'string', company: 'string',
  country_code: 'string', cycle: 'integer', email: 'string', first_name: 'string', last_name: 'string',
  phone: 'string', postal_code: 'string', state: 'string',
};

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

function fail(res, status, error, description) {
  if (FAULT === 'send-status' && (status === 401 || status === 403)) return res.sendStatus(status);
  return res.status(status).json({ error, description });
}

function authenticate(req, res, next) {
  const header = req.get('authorization') || '';
  const token = FAULT === 'split-bearer' ? header.split(' ')[1] : (/^Bearer (\S+)$/.exec(header) || [])[1];
  req.role = Object.hasOwn(ROLES, token || '') ? ROLES[token] : undefined;
  if (!req.role) {
    res.set('WWW-Authenticate', 'Bearer');
    return fail(res, 401, 'Unauthorized', 'A valid bearer token is required');
  }
  next();
}

function view(role) {
  if (role === 'owner') return account;
  const { billing, ...rest } = account; // billing is only available to the owner
  return rest;
}

function billingProblems(body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return ['the body must be a JSON object'];
  if (!('billing' in body)) return [];
  const { billing } = body;
  if (billing === null || typeof billing !== 'object' || Array.isArray(billing)) return ['billing must be an object'];
  return Object.entries(billing)
    .filter(([name]) => Object.hasOwn(BILLING_TYPES, name))
    .filter(([name, value]) => (BILLING_TYPES[name] === 'integer' ? !Number.isInteger(value) : typeof value !== 'string'))
    .map(([name]) => `billing.${name} must be ${BILLING_TYPES[name] === 'integer' ? 'an integer' : 'a string'}`);
}

const app = express();
app.use(express.json());

app.route('/api/v2/chat/account')
  .get(authenticate, (req, res) => {
    if (req.role === 'agent') return fail(res, 403, 'Forbidden', 'Only admins may read the account');
    res.json(view(req.role));
  })
  .put(authenticate, (req, res) => {
    if (SUPPORT_CREATED) return fail(res, 403, 'Forbidden', 'This account was created in Zendesk Support');
    if (req.role !== 'owner') return fail(res, 403, 'Forbidden', 'Only the account owner may update the account');
    if (!req.is('application/json')) return res.status(415).json({ error: 'UnsupportedMediaType', description: 'Send JSON' });
    if (FAULT === 'assign-billing') {
      Object.assign(account.billing, (req.body || {}).billing);
      return res.json(view(req.role));
    }
    const problems = billingProblems(req.body);
    if (problems.length) return res.status(422).json({ error: 'InvalidValue', description: problems.join('; ') });
    // Read-only and unknown fields are ignored, as the docs' read-only column allows.
    for (const [name, value] of Object.entries(req.body.billing || {})) {
      if (Object.hasOwn(BILLING_TYPES, name)) account.billing[name] = value;
    }
    res.json(view(req.role));
  })
  .all((req, res) => {
    res.set('Allow', 'GET, PUT');
    res.status(405).json({ error: 'MethodNotAllowed', description: 'Allowed methods: GET, PUT' });
  });

// body-parser's errors, answered as JSON; the rest fall through to Express's own handler.
app.use((err, req, res, next) => {
  const known = {
    'entity.parse.failed': [400, 'BadRequest', 'The body is not valid JSON'],
    'entity.too.large': [413, 'PayloadTooLarge', 'The body is too large'],
    'encoding.unsupported': [415, 'UnsupportedMediaType', 'Unsupported content encoding'],
    'charset.unsupported': [415, 'UnsupportedMediaType', 'Unsupported charset'],
  }[err.type];
  if (!known) return next(err);
  res.status(known[0]).json({ error: known[1], description: known[2] });
});

const port = Number(process.env.PORT || 3000);
app.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));
