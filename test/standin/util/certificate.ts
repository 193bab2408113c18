import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import {
  bitString,
  boolean,
  explicit,
  octetString,
  oid,
  sequence,
  set,
  unsignedInteger,
  utcTime,
  utf8String,
  tlv,
} from './der';

/** A freshly made self-signed certificate and its key, both PEM. */
export interface SelfSignedCertificate {
  /** The certificate (also its own CA: trust this one PEM and the server verifies). */
  certPem: string;
  /** The PKCS#8 private key. */
  keyPem: string;
}

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const COMMON_NAME = '2.5.4.3';
const SUBJECT_ALT_NAME = '2.5.29.17';
const BASIC_CONSTRAINTS = '2.5.29.19';
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Makes a P-256 self-signed certificate for `127.0.0.1` (SAN `IP:127.0.0.1` and `DNS:localhost`), valid
 * from yesterday (clock skew) for `validDays`. @discordjs/voice dials `wss://127.0.0.1:PORT`, and Node
 * checks the IP against the SAN, so the IP entry is what matters.
 */
export function makeSelfSignedCertificate(
  commonName = 'Attune Discord stand-in',
  validDays = 30,
): SelfSignedCertificate {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const algorithm = sequence(oid(ECDSA_WITH_SHA256));
  const serial = crypto.randomBytes(12);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  // A unique subject per certificate: OpenSSL finds a trust anchor by subject name, so when one process
  // trusts several stand-ins' certificates in turn (a jest worker running suite after suite), a shared
  // name made it check the new server against an older certificate ("self-signed certificate").
  const name = sequence(set(sequence(oid(COMMON_NAME), utf8String(`${commonName} ${serial.toString('hex')}`))));
  const now = Date.now();
  // [7] iPAddress and [2] dNSName are implicit primitive tags inside GeneralNames.
  const altNames = sequence(tlv(0x87, Buffer.from([127, 0, 0, 1])), tlv(0x82, Buffer.from('localhost', 'ascii')));
  const extensions = explicit(
    3,
    sequence(
      sequence(oid(SUBJECT_ALT_NAME), octetString(altNames)),
      // CA:TRUE so OpenSSL accepts this one certificate as the trust anchor of its own chain.
      sequence(oid(BASIC_CONSTRAINTS), boolean(true), octetString(sequence(boolean(true)))),
    ),
  );
  const tbs = sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))), // v3
    unsignedInteger(serial),
    algorithm,
    name,
    sequence(utcTime(new Date(now - DAY_MS)), utcTime(new Date(now + validDays * DAY_MS))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  );
  // Node's ECDSA signature is already the DER SEQUENCE{r, s} that X.509 expects.
  const signature = crypto.sign('sha256', tbs, privateKey);
  const der = sequence(tbs, algorithm, bitString(signature));
  const base64Lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return {
    certPem: `-----BEGIN CERTIFICATE-----\n${base64Lines.join('\n')}\n-----END CERTIFICATE-----\n`,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** Writes the certificate PEM to a fresh temp folder, for `NODE_EXTRA_CA_CERTS` of a child process. */
export function writeCertificateFile(certPem: string): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-standin-'));
  const file = path.join(folder, 'standin-ca.pem');
  fs.writeFileSync(file, certPem);
  return file;
}

const trusted = new Set<string>();

/**
 * Adds the certificate to this process's default CA list, so every later `tls.connect` without its own
 * `ca` option (the `ws` client inside @discordjs/voice) trusts it. `tls.setDefaultCACertificates` exists
 * from Node 22.19 / 24.5; on older Node this returns false and `NODE_EXTRA_CA_CERTS` must be set before
 * the process starts instead.
 */
export function trustCertificateInProcess(certPem: string): boolean {
  const api = tls as typeof tls & {
    setDefaultCACertificates?: (certs: string[]) => void;
    getCACertificates?: (type?: 'default' | 'bundled' | 'system' | 'extra') => string[];
  };
  if (!api.setDefaultCACertificates || !api.getCACertificates) return false;
  if (trusted.has(certPem)) return true;
  api.setDefaultCACertificates([...api.getCACertificates('default'), certPem]);
  trusted.add(certPem);
  return true;
}
