/**
 * Signing keys: one ES256 key pair for the issuer (customers' and managers'
 * tokens) and one for each service that calls another. The public halves form
 * the JWKS every service and the edge trust; each private half stays with its
 * owner. `make up` and the tests generate their own; `outerpark keys` makes a
 * set for a deployment.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { JSONWebKeySet, JWK } from "jose";
import { ALGORITHM, ISSUER_KEY_OWNER, keyOwnerOf, signingKeyOf, type SigningKey } from "#kit/auth.js";

/** The issuer and every service that calls another (reservation calls musical). */
export const KEY_OWNERS: readonly string[] = [ISSUER_KEY_OWNER, "reservation"];

/** Where `make up` keeps its keys, relative to the repo root (the token command's default). */
export const LOCAL_KEY_DIR = ".data/up/keys";

/** Version prefix of keys made for one machine (`make up`); the Helm chart refuses them. */
export const LOCAL_KEY_VERSION_PREFIX = "local-";

export interface KeySet {
  /** Public keys only: safe to hand to every pod. */
  jwks: JSONWebKeySet;
  /** Private JWK of each owner. */
  privateKeys: Record<string, JWK>;
}

/** Fresh key pairs; kid = "<owner>:<version>", which binds each key to whom it speaks for. */
export function generateKeySet(owners: readonly string[], version: string): KeySet {
  const set: KeySet = { jwks: { keys: [] }, privateKeys: {} };
  for (const owner of owners) {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const named = { kid: `${owner}:${version}`, alg: ALGORITHM, use: "sig" };
    set.jwks.keys.push({ ...(publicKey.export({ format: "jwk" }) as JWK), ...named });
    set.privateKeys[owner] = { ...(privateKey.export({ format: "jwk" }) as JWK), ...named };
  }
  return set;
}

export const jwksFileIn = (dir: string) => path.join(dir, "jwks.json");
/** The edge's share of the JWKS: issuer keys only, since no service token is valid from outside. */
export const edgeJwksFileIn = (dir: string) => path.join(dir, "edge-jwks.json");
export const privateKeyFileIn = (dir: string, owner: string) => path.join(dir, `${owner}.private.jwk.json`);

/** The issuer's public keys of a JWKS. */
export function edgeJwksOf(jwks: JSONWebKeySet): JSONWebKeySet {
  return { keys: jwks.keys.filter((k) => typeof k.kid === "string" && keyOwnerOf(k.kid) === ISSUER_KEY_OWNER) };
}

/** Writes jwks.json, edge-jwks.json and one <owner>.private.jwk.json (mode 0600) per owner; never overwrites a key. */
export function writeKeySet(dir: string, set: KeySet): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = [jwksFileIn(dir), edgeJwksFileIn(dir), ...Object.keys(set.privateKeys).map((owner) => privateKeyFileIn(dir, owner))];
  const existing = files.filter((file) => existsSync(file));
  if (existing.length > 0) throw new Error(`refusing to overwrite ${existing.join(", ")}`);
  for (const [owner, jwk] of Object.entries(set.privateKeys)) {
    writeFileSync(privateKeyFileIn(dir, owner), JSON.stringify(jwk) + "\n", { mode: 0o600 });
  }
  writeFileSync(jwksFileIn(dir), JSON.stringify(set.jwks, null, 2) + "\n");
  writeFileSync(edgeJwksFileIn(dir), JSON.stringify(edgeJwksOf(set.jwks), null, 2) + "\n");
}

/** `make up`'s keys: generated into dir on first use, the same ones after. */
export function ensureLocalKeys(dir: string): void {
  if (existsSync(jwksFileIn(dir))) return;
  writeKeySet(dir, generateKeySet(KEY_OWNERS, `${LOCAL_KEY_VERSION_PREFIX}${randomBytes(4).toString("hex")}`));
}

export function readSigningKey(file: string): SigningKey {
  if (!existsSync(file)) throw new Error(`no signing key at ${file} (make up generates local keys; or pass --key FILE)`);
  return signingKeyOf(readFileSync(file, "utf8"), file);
}
