// The per-run certificate authority: its private key exists only in this process's memory; leaf
// certificates are minted on first use of a name and cached for the run. Certificates are built
// with @peculiar/asn1-x509's structures (the library does the DER) and signed with node:crypto:
// the full @peculiar/x509 package costs several times as much to import.
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import * as X from "@peculiar/asn1-x509";
import { createHash, generateKeyPair, randomBytes, sign, type KeyObject } from "node:crypto";
import { isIP } from "node:net";
import { promisify } from "node:util";
import { createSecureContext, type SecureContext } from "node:tls";

const DAY = 86_400_000;
const MAX_LEAVES = 1000;
const ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
const COMMON_NAME = "2.5.4.3";
const ORGANIZATION = "2.5.4.10";

export interface CertificateAuthority {
  /** The CA certificate (PEM): the only part handed to the sandboxed command. */
  readonly certificate: string;
  /** A TLS context presenting a leaf for this name (host name or IP literal), minted once. */
  contextFor(name: string): Promise<SecureContext>;
}

const newKeyPair = () => promisify(generateKeyPair)("ec", { namedCurve: "P-256" });

function serial(): ArrayBuffer {
  // Positive, 16 random bytes: unique per certificate, as RFC 5280 asks.
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return new Uint8Array(bytes).buffer;
}

function name(cn: string, org?: string): X.Name {
  const rdn = (type: string, value: string) => new X.RelativeDistinguishedName([new X.AttributeTypeAndValue({ type, value: new X.AttributeValue({ utf8String: value }) })]);
  return new X.Name([...(org ? [rdn(ORGANIZATION, org)] : []), rdn(COMMON_NAME, cn)]);
}

function extension(extnID: string, critical: boolean, value: unknown): X.Extension {
  return new X.Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

function spkiOf(key: KeyObject): X.SubjectPublicKeyInfo {
  return AsnConvert.parse(key.export({ type: "spki", format: "der" }), X.SubjectPublicKeyInfo);
}

/** RFC 5280 method 1: SHA-1 of the public key bits. */
function keyId(spki: X.SubjectPublicKeyInfo): ArrayBuffer {
  return new Uint8Array(createHash("sha1").update(new Uint8Array(spki.subjectPublicKey)).digest()).buffer;
}

function certificate(tbs: X.TBSCertificate, signer: KeyObject): string {
  const signatureValue = sign("sha256", Buffer.from(AsnConvert.serialize(tbs)), signer);
  const cert = new X.Certificate({ tbsCertificate: tbs, signatureAlgorithm: tbs.signature, signatureValue: new Uint8Array(signatureValue).buffer });
  const der = Buffer.from(AsnConvert.serialize(cert)).toString("base64");
  return `-----BEGIN CERTIFICATE-----\n${der.replace(/.{1,64}/g, "$&\n")}-----END CERTIFICATE-----\n`;
}

export async function createCertificateAuthority(): Promise<CertificateAuthority> {
  const [caKeys, leafKeys] = await Promise.all([newKeyPair(), newKeyPair()]);
  const validity = new X.Validity({ notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 30 * DAY) });
  const algorithm = new X.AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 });
  const caName = name(`cordon run CA ${randomBytes(4).toString("hex")}`, "cordon");
  const caSpki = spkiOf(caKeys.publicKey);
  const caKeyId = keyId(caSpki);
  const caPem = certificate(
    new X.TBSCertificate({
      version: X.Version.v3,
      serialNumber: serial(),
      signature: algorithm,
      issuer: caName,
      validity,
      subject: caName,
      subjectPublicKeyInfo: caSpki,
      extensions: new X.Extensions([
        extension(X.id_ce_basicConstraints, true, new X.BasicConstraints({ cA: true, pathLenConstraint: 0 })),
        extension(X.id_ce_keyUsage, true, new X.KeyUsage(X.KeyUsageFlags.keyCertSign | X.KeyUsageFlags.cRLSign)),
        extension(X.id_ce_subjectKeyIdentifier, false, new X.SubjectKeyIdentifier(caKeyId)),
      ]),
    }),
    caKeys.privateKey,
  );
  // One key pair serves every leaf of the run: minting a leaf is then one signature.
  const leafSpki = spkiOf(leafKeys.publicKey);
  const leafKeyPem = leafKeys.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
  const contexts = new Map<string, Promise<SecureContext>>();

  const mint = async (host: string): Promise<SecureContext> => {
    const ip = isIP(host) !== 0;
    const san = new X.GeneralName(ip ? { iPAddress: host } : { dNSName: host });
    const leafPem = certificate(
      new X.TBSCertificate({
        version: X.Version.v3,
        serialNumber: serial(),
        signature: algorithm,
        issuer: caName,
        validity,
        subject: name(ip ? "cordon inspected address" : host),
        subjectPublicKeyInfo: leafSpki,
        extensions: new X.Extensions([
          extension(X.id_ce_basicConstraints, true, new X.BasicConstraints({ cA: false })),
          extension(X.id_ce_keyUsage, true, new X.KeyUsage(X.KeyUsageFlags.digitalSignature)),
          extension(X.id_ce_extKeyUsage, false, new X.ExtendedKeyUsage([X.id_kp_serverAuth])),
          extension(X.id_ce_subjectAltName, false, new X.SubjectAlternativeName([san])),
          extension(X.id_ce_authorityKeyIdentifier, false, new X.AuthorityKeyIdentifier({ keyIdentifier: new X.KeyIdentifier(caKeyId) })),
        ]),
      }),
      caKeys.privateKey,
    );
    return createSecureContext({ cert: `${leafPem}${caPem}`, key: leafKeyPem });
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
