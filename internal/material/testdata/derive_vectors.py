#!/usr/bin/env python3
"""Independent reference implementation of material.Derive (derived mode,
issue 12), written from the package documentation, not from the Go code.

It prints derive_vectors.json, the golden vectors that derive_test.go checks
Derive against. The vectors are a compatibility contract: versions derived
today must derive identically forever. Never regenerate them to make a test
pass; a difference means the derivation changed.

Needs Python 3.9+ and the "cryptography" package (for the Ed25519 and
NIST P-curve public keys only; HKDF, the samplers and the thumbprints are
written out here).

    python3 testdata/derive_vectors.py > testdata/derive_vectors.json
"""

import base64
import hashlib
import hmac
import json

from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives import serialization


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def hkdf_extract(salt, ikm):
    # RFC 5869 2.2: PRK = HMAC-Hash(salt, IKM)
    return hmac.new(salt, ikm, hashlib.sha256).digest()


def hkdf_expand(prk, info, length):
    # RFC 5869 2.3
    assert length <= 255 * 32
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:length]


ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
SPECIAL = "!#$%&*()-_=+[]{}<>:?"

P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
P384_N = int(
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
    "C7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973", 16)


def type_spec(typ, opts):
    if typ == "password":
        return "password:length=%d:special=%s" % (opts["length"], "true" if opts["special"] else "false")
    if typ == "hmac":
        return "hmac:bytes=%d" % opts["hmac_bytes"]
    return typ


def thumbprint(members, names):
    # RFC 7638: required members, lexicographic order, no white space.
    s = "{" + ",".join('"%s":"%s"' % (k, members[k]) for k in names) + "}"
    return b64u(hashlib.sha256(s.encode()).digest())


def derive(seed, salt, secret_id, version, typ, opts):
    info = "rotation/v1/%s/%d/%s" % (secret_id, version, type_spec(typ, opts))
    prk = hkdf_extract(salt, seed.encode())
    stream = hkdf_expand(prk, info.encode(), 255 * 32)
    v = {
        "seed": seed,
        "salt": salt.hex(),
        "secret_id": secret_id,
        "version": version,
        "type": typ,
        "options": opts,
        "info": info,
    }
    if typ == "password":
        alphabet = ALNUM + (SPECIAL if opts["special"] else "")
        n = len(alphabet)
        limit = 256 - 256 % n
        pw, used = "", 0
        for b in stream:
            used += 1
            if b < limit:
                pw += alphabet[b % n]
                if len(pw) == opts["length"]:
                    break
        assert used <= 4 * opts["length"] + 64
        v["kid"] = b64u(hkdf_expand(prk, (info + "/kid").encode(), 16))
        v["secret_sha256"] = hashlib.sha256(pw.encode()).hexdigest()
        v["stream_bytes"] = used
    elif typ == "hmac":
        key = stream[: opts["hmac_bytes"]]
        v["kid"] = b64u(hkdf_expand(prk, (info + "/kid").encode(), 16))
        v["secret_sha256"] = hashlib.sha256(b64u(key).encode()).hexdigest()
        v["stream_bytes"] = len(key)
    elif typ == "ed25519":
        sk = stream[:32]
        pub = ed25519.Ed25519PrivateKey.from_private_bytes(sk).public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        m = {"crv": "Ed25519", "kty": "OKP", "x": b64u(pub)}
        kid = thumbprint(m, ["crv", "kty", "x"])
        v["kid"] = kid
        v["private_sha256"] = hashlib.sha256(sk).hexdigest()
        v["public_jwk"] = json.dumps(dict(m, alg="EdDSA", kid=kid, use="sig"), sort_keys=True, separators=(",", ":"))
        v["stream_bytes"] = 32
    else:
        curve, order, size, crv, alg = {
            "ecdsa-p256": (ec.SECP256R1(), P256_N, 32, "P-256", "ES256"),
            "ecdsa-p384": (ec.SECP384R1(), P384_N, 48, "P-384", "ES384"),
        }[typ]
        for draw in range(64):
            c = int.from_bytes(stream[draw * size:(draw + 1) * size], "big")
            if 1 <= c <= order - 1:
                break
        else:
            raise ValueError("64 rejections")
        d = c
        pn = ec.derive_private_key(d, curve).public_key().public_numbers()
        m = {"crv": crv, "kty": "EC",
             "x": b64u(pn.x.to_bytes(size, "big")), "y": b64u(pn.y.to_bytes(size, "big"))}
        kid = thumbprint(m, ["crv", "kty", "x", "y"])
        v["kid"] = kid
        v["private_sha256"] = hashlib.sha256(d.to_bytes(size, "big")).hexdigest()
        v["public_jwk"] = json.dumps(dict(m, alg=alg, kid=kid, use="sig"), sort_keys=True, separators=(",", ":"))
        v["stream_bytes"] = (draw + 1) * size
    return v


def fingerprint(seed):
    return b64u(hmac.new(seed.encode(), b"rotation/v1/seed-fingerprint", hashlib.sha256).digest()[:16])


SEED_A = "rotation-golden-seed-0123456789abcdef-0123456789abcdef"
SEED_B = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"  # shaped like `openssl rand -hex 32`
SALT_A = bytes(range(32))
SALT_B = bytes(range(0xA0, 0xC0))
ID_A = "3f1c2b9e-8d47-4c1a-9b5e-2a7d6f0c4e81"
ID_B = "payments/api-signing"


def pw(length, special):
    return {"length": length, "special": special}


def hm(n):
    return {"hmac_bytes": n}


cases = [
    (SEED_A, SALT_A, ID_A, 1, "password", pw(32, True)),
    (SEED_A, SALT_A, ID_A, 2, "password", pw(32, True)),
    (SEED_A, SALT_A, ID_A, 1, "password", pw(16, False)),
    (SEED_A, SALT_A, ID_A, 1, "password", pw(32, False)),
    (SEED_A, SALT_A, ID_A, 1, "password", pw(1024, True)),
    (SEED_B, SALT_B, ID_B, 7, "password", pw(20, True)),
    (SEED_A, SALT_A, ID_A, 1, "hmac", hm(32)),
    (SEED_A, SALT_A, ID_A, 2, "hmac", hm(32)),
    (SEED_A, SALT_A, ID_A, 1, "hmac", hm(64)),
    (SEED_A, SALT_A, ID_A, 1, "hmac", hm(1024)),
    (SEED_B, SALT_B, ID_B, 9223372036854775807, "hmac", hm(48)),
    (SEED_A, SALT_A, ID_A, 1, "ed25519", {}),
    (SEED_A, SALT_A, ID_A, 2, "ed25519", {}),
    (SEED_A, SALT_B, ID_A, 1, "ed25519", {}),
    (SEED_B, SALT_A, ID_A, 1, "ed25519", {}),
    (SEED_A, SALT_A, ID_B, 1, "ed25519", {}),
    (SEED_A, SALT_A, ID_A, 1, "ecdsa-p256", {}),
    (SEED_A, SALT_A, ID_A, 2, "ecdsa-p256", {}),
    (SEED_B, SALT_B, ID_B, 3, "ecdsa-p256", {}),
    (SEED_A, SALT_A, ID_A, 1, "ecdsa-p384", {}),
    (SEED_A, SALT_A, ID_A, 2, "ecdsa-p384", {}),
    (SEED_B, SALT_B, ID_B, 3, "ecdsa-p384", {}),
]

print(json.dumps({
    "comment": "Golden vectors of material.Derive, made by testdata/derive_vectors.py. A compatibility contract: never regenerate.",
    "fingerprints": [{"seed": s, "fingerprint": fingerprint(s)} for s in (SEED_A, SEED_B)],
    "vectors": [derive(*c) for c in cases],
}, indent=1))
