// A throw-away PKI for the simulated API server: a CA and a server certificate
// for 127.0.0.1/localhost signed by it, made with the openssl CLI.

import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface TlsMaterial { caCert: string; key: string; cert: string }

let cached: Promise<TlsMaterial> | undefined;

/** Generated once per process (EC P-256 keys: fast), then reused by every sim started in it. */
export function tlsMaterial(): Promise<TlsMaterial> {
  cached ??= generate().catch((err) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

async function generate(): Promise<TlsMaterial> {
  const dir = await mkdtemp(join(tmpdir(), "kube-sim-tls-"));
  const p = (f: string) => join(dir, f);
  const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  try {
    await run("openssl", ["req", "-x509", ...newKey, "-keyout", p("ca.key"), "-out", p("ca.crt"), "-days", "7",
      "-subj", "/CN=kube-sim-ca", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
    await run("openssl", ["req", ...newKey, "-keyout", p("server.key"), "-out", p("server.csr"), "-subj", "/CN=kube-apiserver"]);
    await writeFile(p("ext.cnf"), [
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
      "",
    ].join("\n"));
    await run("openssl", ["x509", "-req", "-in", p("server.csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"), "-CAcreateserial",
      "-out", p("server.crt"), "-days", "7", "-extfile", p("ext.cnf")]);
    const [caCert, key, cert] = await Promise.all([readFile(p("ca.crt"), "utf8"), readFile(p("server.key"), "utf8"), readFile(p("server.crt"), "utf8")]);
    return { caCert, key, cert };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
