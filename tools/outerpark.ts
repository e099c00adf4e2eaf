#!/usr/bin/env node
/**
 * The one entry point of the image and of local runs:
 *   outerpark serve <service>      run one service
 *   outerpark migrate <service>    apply its migrations and exit
 *   outerpark gateway              run the simulated payment gateway
 *   outerpark web                  serve the built web app (dist/web) behind the edge
 *   outerpark token --sub ID --role customer|manager|service [--ttl SECONDS] [--key PRIVATE_JWK_FILE]
 *   outerpark keys --dir DIR        new key pairs for a deployment: jwks.json + one private key per owner
 *   outerpark deadletters list|replay [--consumer NAME]
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { parseArgs } from "node:util";
import { SERVICE_NAMES, readServiceConfig, type ServiceName } from "#kit/config.js";
import type { ServiceModule } from "#kit/server.js";

const root = path.resolve(import.meta.dirname, "../..");

export async function loadModule(name: string): Promise<ServiceModule> {
  switch (name as ServiceName) {
    case "musical":
      return (await import("../services/musical/src/module.js")).musicalModule;
    case "reservation":
      return (await import("../services/reservation/src/module.js")).reservationModule;
    case "payment":
      return (await import("../services/payment/src/module.js")).paymentModule;
    case "notice":
      return (await import("../services/notice/src/module.js")).noticeModule;
    case "customercenter":
      return (await import("../services/customercenter/src/module.js")).customerCenterModule;
    default:
      throw new Error(`unknown service "${name}"; expected one of ${SERVICE_NAMES.join(", ")}`);
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve": {
      const { runServiceProcess } = await import("#kit/server.js");
      await runServiceProcess(await loadModule(rest[0] ?? ""));
      return;
    }
    case "migrate": {
      const { migrateOnly } = await import("#kit/server.js");
      const names = rest[0] === "all" ? [...SERVICE_NAMES] : [rest[0] ?? ""];
      for (const name of names) {
        const module = await loadModule(name);
        await migrateOnly(module, readServiceConfig(module.name));
      }
      return;
    }
    case "gateway": {
      const { runGatewayProcess } = await import("./simulated-gateway.js");
      await runGatewayProcess();
      return;
    }
    case "web": {
      const { runWebServerProcess } = await import("./web-server.js");
      await runWebServerProcess(root);
      return;
    }
    case "token": {
      const { values } = parseArgs({
        args: rest,
        options: {
          sub: { type: "string" },
          role: { type: "string", default: "customer" },
          ttl: { type: "string", default: "3600" },
          key: { type: "string" },
        },
      });
      const { mintToken, ROLES, ISSUER_KEY_OWNER } = await import("#kit/auth.js");
      const { LOCAL_KEY_DIR, privateKeyFileIn, readSigningKey } = await import("./keys.js");
      if (!values.sub) throw new Error("--sub is required");
      if (!(ROLES as readonly string[]).includes(values.role)) throw new Error(`--role must be one of ${ROLES.join(", ")}`);
      // Default: make up's local keys; the issuer's for people, the service's own for a service.
      const owner = values.role === "service" ? values.sub : ISSUER_KEY_OWNER;
      const key = readSigningKey(values.key ?? privateKeyFileIn(path.join(root, LOCAL_KEY_DIR), owner));
      process.stdout.write(
        (await mintToken({ key, subject: values.sub, role: values.role as (typeof ROLES)[number], ttlSeconds: Number(values.ttl) })) + "\n",
      );
      return;
    }
    case "keys": {
      const { values } = parseArgs({ args: rest, options: { dir: { type: "string" } } });
      const { KEY_OWNERS, generateKeySet, writeKeySet } = await import("./keys.js");
      if (!values.dir) throw new Error("--dir is required");
      const version = `${new Date().toISOString().slice(0, 10).replaceAll("-", "")}-${randomBytes(3).toString("hex")}`;
      writeKeySet(values.dir, generateKeySet(KEY_OWNERS, version));
      process.stdout.write(
        `wrote ${values.dir}: jwks.json (public: every service), edge-jwks.json (public: the edge) and ${KEY_OWNERS.map((o) => `${o}.private.jwk.json`).join(", ")}\n`,
      );
      return;
    }
    case "deadletters": {
      const { runDeadLetterCommand } = await import("#kit/dead-letters.js");
      await runDeadLetterCommand(rest);
      return;
    }
    default:
      throw new Error(
        `usage: outerpark serve|migrate <service> | gateway | web | token --sub ID --role ROLE [--key FILE] | keys --dir DIR | deadletters list|replay`,
      );
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
