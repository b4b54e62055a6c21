// The per-run certificate authority: its private key exists only in this process's memory; leaf
// certificates are minted on first use of a name and cached for the run.
import "reflect-metadata"; // @peculiar/x509's dependency injection needs it, loaded only with this module
import * as x509 from "@peculiar/x509";
import { isIP } from "node:net";
import { createSecureContext, type SecureContext } from "node:tls";
import { webcrypto, randomBytes, KeyObject } from "node:crypto";

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY = 86_400_000;
const MAX_LEAVES = 1000;

export interface CertificateAuthority {
  /** The CA certificate (PEM): the only part handed to the sandboxed command. */
  readonly certificate: string;
  /** A TLS context presenting a leaf for this name (host name or IP literal), minted once. */
  contextFor(name: string): Promise<SecureContext>;
}

function serial(): string {
  // Positive, 16 random bytes: unique per certificate, as RFC 5280 asks.
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString("hex");
}

function pemKey(key: CryptoKey): string {
  return KeyObject.from(key).export({ type: "pkcs8", format: "pem" }) as string;
}

export async function createCertificateAuthority(): Promise<CertificateAuthority> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const subtle = webcrypto.subtle;
  const caKeys = (await subtle.generateKey(ALG, false, ["sign", "verify"])) as CryptoKeyPair;
  const notBefore = new Date(Date.now() - DAY);
  const notAfter = new Date(Date.now() + 30 * DAY);
  const name = `CN=cordon run CA ${randomBytes(4).toString("hex")}, O=cordon`;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name,
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const caPem = ca.toString("pem");
  // One key pair serves every leaf of the run: minting a leaf is then one signature.
  const leafKeys = (await subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const leafKeyPem = pemKey(leafKeys.privateKey);
  const authorityKeyId = await x509.AuthorityKeyIdentifierExtension.create(ca, false);
  const contexts = new Map<string, Promise<SecureContext>>();

  const mint = async (host: string): Promise<SecureContext> => {
    const san = isIP(host) ? { type: "ip" as const, value: host } : { type: "dns" as const, value: host };
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: isIP(host) ? "CN=cordon inspected address" : `CN=${host}`,
      issuer: ca.subject,
      notBefore,
      notAfter,
      signingKey: caKeys.privateKey,
      publicKey: leafKeys.publicKey,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
        new x509.SubjectAlternativeNameExtension([san], false),
        authorityKeyId,
      ],
    });
    return createSecureContext({ cert: `${leaf.toString("pem")}\n${caPem}`, key: leafKeyPem });
  };

  return {
    certificate: caPem,
    contextFor(host) {
      let ctx = contexts.get(host);
      if (!ctx) {
        ctx = mint(host);
        contexts.set(host, ctx);
        ctx.catch(() => contexts.delete(host));
        // Names a wildcard entry lets the command invent: keep the cache bounded (oldest out).
        if (contexts.size > MAX_LEAVES) contexts.delete(contexts.keys().next().value!);
      }
      return ctx;
    },
  };
}
