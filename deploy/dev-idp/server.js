// ankommen's identity provider for development and tests ONLY: panva's certified
// oidc-provider with the five roles as ready-made users. A county runs its own (Keycloak,
// ADFS, Entra ID); the services talk to this one exactly as they would to the county's.
//
//   node server.js                 listen on ANKOMMEN_IDP_PORT (default 8110)
//   node server.js --rotate        put a new signing key in front of the key file, keep the
//                                  previous one published (JWKS holds both), then exit
//
// Settings (environment):
//   ANKOMMEN_IDP_PORT      port on 127.0.0.1 (default 8110)
//   ANKOMMEN_IDP_ISSUER    issuer URL (default http://127.0.0.1:<port>)
//   ANKOMMEN_IDP_KEYS      JWKS file with the private signing keys (made on first start, two keys)
//   ANKOMMEN_IDP_CLIENTS   JSON file: {"pages": [...], "systems": [...]} (default: the four
//                          services of `make run` on ports 8101-8104, one provider system)
//
// The users' passwords are development passwords, written here on purpose: this server is
// never deployed.
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { generateKeyPair, exportJWK, calculateJwkThumbprint } from 'jose';
import Provider from 'oidc-provider';

const PASSWORD = 'entwicklung';

// The groups are what a county's directory would send; the services map them to roles by
// setting (ANKOMMEN_OIDC_ROLE_MAPPING), as they would the county's own group names.
export const USERS = {
  intake: { name: 'Ina Intake (Entwicklung)', groups: ['ankommen-intake'] },
  koordination: { name: 'Kai Koordination (Entwicklung)', groups: ['ankommen-koordination'] },
  'traeger-vhs': { name: 'Tara Träger (Entwicklung)', groups: ['ankommen-traeger'], provider_id: 'vhs-heidekreis' },
  monitoring: { name: 'Mia Monitoring (Entwicklung)', groups: ['ankommen-monitoring'] },
  admin: { name: 'Adam Admin (Entwicklung)', groups: ['ankommen-admin'] },
  // Signed in at the provider, but in no group the services know: they refuse it.
  gast: { name: 'Gustav Gast (Entwicklung)', groups: ['kantine'] },
};

const port = Number(process.env.ANKOMMEN_IDP_PORT || 8110);
const issuer = process.env.ANKOMMEN_IDP_ISSUER || `http://127.0.0.1:${port}`;
const keysFile = process.env.ANKOMMEN_IDP_KEYS || new URL('../../var/dev-idp/jwks.json', import.meta.url).pathname;

async function newKey() {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, alg: 'RS256', use: 'sig', kid: await calculateJwkThumbprint(jwk) };
}

// Two keys always published: the first signs, the second is the one before it (or the next
// one, on the first start), so that tokens signed before a rotation still verify.
async function loadKeys({ rotate }) {
  let keys = existsSync(keysFile) ? JSON.parse(readFileSync(keysFile, 'utf8')).keys : [];
  if (keys.length === 0) keys = [await newKey(), await newKey()];
  if (rotate) keys = [await newKey(), keys[0]];
  mkdirSync(dirname(keysFile), { recursive: true });
  writeFileSync(keysFile, JSON.stringify({ keys }, null, 2), { mode: 0o600 });
  return keys;
}

function defaultClients() {
  const pages = ['intake', 'assignment', 'progress', 'monitoring'].map((service, index) => ({
    client_id: `ankommen-${service}`,
    client_secret: `entwicklung-${service}`,
    redirect_uris: [`http://127.0.0.1:${8101 + index}/auth/callback`, `http://localhost:${8101 + index}/auth/callback`],
    post_logout_redirect_uris: [`http://127.0.0.1:${8101 + index}/login`, `http://localhost:${8101 + index}/login`],
  }));
  const systems = [{ client_id: 'vhs-heidekreis-system', client_secret: 'entwicklung-vhs', provider_id: 'vhs-heidekreis' }];
  return { pages, systems };
}

function clients() {
  const file = process.env.ANKOMMEN_IDP_CLIENTS;
  const { pages, systems } = file ? JSON.parse(readFileSync(file, 'utf8')) : defaultClients();
  return [
    // A service's pages: authorization code with PKCE, a confidential client.
    ...pages.map((client) => ({
      ...client,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      // auth_time in every ID token: the services know how recently the password was
      // entered (re-authentication before erasure and identity views; a county registers
      // its clients the same way, e.g. Keycloak always sends it).
      require_auth_time: true,
      first_party: true,
    })),
    // A provider's own system: client credentials, the provider id bound to the client.
    ...systems.map((client) => ({
      ...client,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
  ];
}

const html = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(title)} – Identitätsanbieter (Entwicklung)</title>
<style>body{font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
label{display:block;margin-top:1rem;font-weight:bold}input{width:100%;padding:.4rem;font-size:1rem;box-sizing:border-box}
button{margin-top:1.2rem;padding:.5rem 1rem;font-size:1rem}.error{color:#8b0000;border-left:4px solid #8b0000;padding-left:.5rem}
.note{font-size:.9rem;color:#444}</style></head>
<body><main><h1>${html(title)}</h1>${body}</main></body></html>`;
}

function loginPage(uid, { login = '', error = false } = {}) {
  return page('Anmelden', `
<p class="note">Identitätsanbieter nur für die Entwicklung. Benutzer: intake, koordination, traeger-vhs,
monitoring, admin; Passwort: ${PASSWORD}.</p>
${error ? '<p class="error" id="login-error" role="alert">Fehler: Benutzername oder Passwort stimmt nicht.</p>' : ''}
<form method="post" action="/interaction/${html(uid)}/login" autocomplete="off">
<label for="login">Benutzername</label>
<input id="login" name="login" value="${html(login)}" required ${error ? 'aria-describedby="login-error"' : ''} autofocus>
<label for="password">Passwort</label>
<input id="password" name="password" type="password" required ${error ? 'aria-describedby="login-error"' : ''}>
<button type="submit">Anmelden</button>
</form>`);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function main() {
  const rotate = process.argv.includes('--rotate');
  const keys = await loadKeys({ rotate });
  if (rotate) {
    console.log(`signing key rotated: ${keys[0].kid} signs, ${keys[1].kid} still published`);
    return;
  }

  const provider = new Provider(issuer, {
    clients: clients(),
    jwks: { keys },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    extraClientMetadata: { properties: ['provider_id', 'first_party'] },
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      ankommen: ['groups', 'provider_id'],
    },
    scopes: ['openid', 'profile', 'ankommen'],
    // The claims in the ID token itself: the services read the roles from it.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page('Abmelden', `<p>Möchten Sie sich beim Identitätsanbieter abmelden?</p>${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Ja, abmelden</button>
<button type="submit" form="op.logoutForm">Nein, angemeldet bleiben</button>`);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = page('Abgemeldet', '<p>Sie sind beim Identitätsanbieter abgemeldet.</p>');
        },
      },
      // Access tokens for our APIs: JWTs with the audience "ankommen", verified against
      // this provider's JWKS. Provider systems get them by client credentials; the pages get
      // one at every sign-in too, which the session keeps and relays (progress asks intake
      // for the names of a provider's consenting participants with the person's own token).
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => 'urn:ankommen',
        useGrantedResource: async () => true,
        getResourceServerInfo: async (ctx, resource, client) => ({
          scope: 'progress:report',
          audience: 'ankommen',
          accessTokenFormat: 'jwt',
          // A person's token lives as long as a working session may (server-side only,
          // never in the browser); a system asks again every ten minutes.
          accessTokenTTL: client?.grantTypes?.includes('client_credentials') ? 600 : 8 * 3600,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    // A system's token: the provider id bound to its client. A person's token: their groups
    // and provider id, so that a service receiving it by relay maps it as the pages do.
    extraTokenClaims: async (ctx, token) => {
      const client = ctx.oidc.client;
      if (client?.provider_id) return { provider_id: client.provider_id };
      const user = token.accountId ? USERS[token.accountId] : undefined;
      if (!user) return undefined;
      return { groups: user.groups, ...(user.provider_id ? { provider_id: user.provider_id } : {}) };
    },
    // The services are the county's own applications: no consent screen for them.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      if (!ctx.oidc.client.first_party) return undefined;
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid profile ankommen');
      await grant.save();
      return grant;
    },
    findAccount: async (ctx, sub) => {
      const user = USERS[sub];
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub, name: user.name, preferred_username: sub, groups: user.groups,
          ...(user.provider_id ? { provider_id: user.provider_id } : {}),
        }),
      };
    },
    ttl: { Session: 8 * 3600, Interaction: 600, IdToken: 300, AccessToken: 600, Grant: 8 * 3600 },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Fehler', `<p class="error">${html(out.error)}: ${html(out.error_description || '')}</p>`);
    },
  });
  provider.proxy = false;
  const oidc = provider.callback();

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, issuer);
    const match = url.pathname.match(/^\/interaction\/([\w-]+)(\/login)?$/);
    if (!match) return oidc(req, res);
    try {
      res.setHeader('Cache-Control', 'no-store');
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== match[1] || details.prompt.name !== 'login') {
        res.writeHead(400, { 'Content-Type': 'text/html; charset=utf-8' });
        return res.end(page('Fehler', '<p class="error">Diese Anmeldung ist nicht mehr gültig.</p>'));
      }
      if (req.method === 'GET' && !match[2]) {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        return res.end(loginPage(details.uid));
      }
      if (req.method === 'POST' && match[2]) {
        const form = await readForm(req);
        const login = form.get('login') || '';
        if (!Object.hasOwn(USERS, login) || form.get('password') !== PASSWORD) {
          res.writeHead(401, { 'Content-Type': 'text/html; charset=utf-8' });
          return res.end(loginPage(details.uid, { login, error: true }));
        }
        return provider.interactionFinished(req, res, { login: { accountId: login } },
          { mergeWithLastSubmission: false });
      }
      res.writeHead(405, { 'Content-Type': 'text/plain' });
      return res.end('method not allowed');
    } catch (error) {
      res.writeHead(400, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end(page('Fehler', `<p class="error">${html(error.message)}</p>`));
    }
  });
  server.listen(port, '127.0.0.1', () => {
    console.log(`dev identity provider (development only) at ${issuer}, signing key ${keys[0].kid}`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => { console.error(error); process.exit(1); });
