// A Better Auth server for the end-to-end tests: email and password sign-in, the JWT plugin,
// PostgreSQL through `pg`, its tables created by Better Auth's own migration API, served on
// node:http. Configured by the environment: DATABASE_URL, BETTER_AUTH_SECRET, PORT.
import { createServer } from "node:http";

import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { toNodeHandler } from "better-auth/node";
import { jwt } from "better-auth/plugins";
import pg from "pg";

const { DATABASE_URL, BETTER_AUTH_SECRET, PORT } = process.env;
if (!DATABASE_URL || !BETTER_AUTH_SECRET || !PORT) {
  console.error("DATABASE_URL, BETTER_AUTH_SECRET and PORT must be set");
  process.exit(2);
}

const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 5 });
const options = {
  baseURL: `http://127.0.0.1:${PORT}`,
  secret: BETTER_AUTH_SECRET,
  database: pool,
  emailAndPassword: { enabled: true },
  plugins: [
    // Private keys stored unencrypted so that the tests can sign tokens with the real key
    // (expired, other issuer, other audience); a production server keeps the default.
    jwt({ jwks: { disablePrivateKeyEncryption: true } }),
  ],
};

const { runMigrations } = await getMigrations(options);
await runMigrations();

const auth = betterAuth(options);
const server = createServer(toNodeHandler(auth));
server.listen(Number(PORT), "127.0.0.1", () => {
  console.log(`Better Auth listening on ${options.baseURL}`);
});

function stop() {
  server.close(() => pool.end().then(() => process.exit(0)));
  server.closeAllConnections();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
