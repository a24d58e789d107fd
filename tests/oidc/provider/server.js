// A real OpenID Connect provider (the `oidc-provider` package) for Adroit's single sign-on tests.
// tests/oidc/provider.py starts it with node and configures it through the environment:
//   PORT                      the port on 127.0.0.1 to listen on
//   ISSUER                    the issuer it signs tokens as (default http://127.0.0.1:PORT)
//   CLIENT                    JSON: {client_id, client_secret, redirect_uris, post_logout_redirect_uris}
//   ACCOUNTS                  JSON: {login: {password, claims: {sub, email, name, groups, ...}}}
//   CLOCK_SKEW_SECONDS        shifts this provider's clock (negative: it lives in the past), so
//                             its ID tokens have expired by the time Adroit reads them
// PUT /_test/accounts with the same JSON replaces the accounts (a later sign-in, new claims).
// It prints "listening on <issuer>" once it accepts connections.
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = process.env.ISSUER || `http://127.0.0.1:${port}`;
const client = JSON.parse(process.env.CLIENT);
let accounts = JSON.parse(process.env.ACCOUNTS || '{}');

const skew = Number(process.env.CLOCK_SKEW_SECONDS || 0);
if (skew) {
  // Every time the provider reads (token iat/exp, cookie expiry) goes through Date.now.
  const realNow = Date.now;
  Date.now = () => realNow() + skew * 1000;
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

const configuration = {
  clients: [{ ...client, token_endpoint_auth_method: 'client_secret_post' }],
  cookies: { keys: ['adroit-test-provider-cookie-key'] },
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    groups: ['groups'],
  },
  // Long enough that the skewed instance's browser cookies are still alive; the ID token is
  // short, so a clock 20 minutes behind issues tokens that have already expired.
  ttl: { IdToken: 600, Interaction: 3600, Session: 86400, Grant: 86400, AccessToken: 600 },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page(
          'Sign out of the test provider?',
          `${form}<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`,
        );
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Signed out', '<p>You are signed out of the test provider.</p>');
      },
    },
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Provider error', `<pre>${escape(JSON.stringify(out))}</pre>`);
  },
  async findAccount(ctx, sub) {
    const found = Object.values(accounts).find((account) => account.claims.sub === sub);
    if (!found) return undefined;
    return { accountId: sub, async claims() { return { ...found.claims }; } };
  },
};

const provider = new Provider(issuer, configuration);

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

function send(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(html);
}

function loginForm(uid, error = '') {
  return page(
    'Sign in to the test provider',
    `${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
  <p><label for="login">Login</label> <input id="login" name="login" autocomplete="off"></p>
  <p><label for="password">Password</label> <input id="password" name="password" type="password"></p>
  <button type="submit">Sign in</button>
</form>`,
  );
}

function consentForm(uid, details) {
  const scopes = (details.missingOIDCScope || []).join(', ');
  return page(
    'Allow Adroit?',
    `<p>Adroit asks for: ${escape(scopes || 'what you allowed before')}</p>
<form method="post" action="/interaction/${uid}/confirm"><button type="submit">Allow</button></form>`,
  );
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (req.method === 'GET' && !action) {
    if (prompt.name === 'login') return send(res, 200, loginForm(uid));
    return send(res, 200, consentForm(uid, prompt.details));
  }
  if (req.method === 'POST' && action === 'login') {
    const form = await readForm(req);
    const account = accounts[form.get('login')];
    if (!account || account.password !== form.get('password')) {
      return send(res, 200, loginForm(uid, 'Wrong login or password.'));
    }
    return provider.interactionFinished(
      req,
      res,
      { login: { accountId: account.claims.sub } },
      { mergeWithLastSubmission: false },
    );
  }
  if (req.method === 'POST' && action === 'confirm') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    const grantId = await grant.save();
    return provider.interactionFinished(
      req,
      res,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    );
  }
  return send(res, 405, page('Not allowed', ''));
}

const callback = provider.callback();

const server = createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  const match = url.pathname.match(/^\/interaction\/([\w-]+)(?:\/(login|confirm))?$/);
  try {
    if (match) {
      await interaction(req, res, match[1], match[2]);
      return;
    }
    if (url.pathname === '/_test/accounts' && req.method === 'PUT') {
      let body = '';
      for await (const chunk of req) body += chunk;
      accounts = JSON.parse(body);
      res.writeHead(204);
      res.end();
      return;
    }
  } catch (error) {
    send(res, 500, page('Test provider failed', `<pre>${escape(error.stack)}</pre>`));
    return;
  }
  callback(req, res);
});

server.listen(port, '127.0.0.1', () => {
  console.log(`listening on ${issuer}`);
});
