// Package material generates the key material of the rotation_secret
// resource (docs/design.md, Resources) and encodes its public half as PEM, JWK
// and JWKS. It is pure Go: no Terraform types, no logging.
//
// # Types and what a version holds
//
//	type        Secret                               PublicKeyPEM  PublicJWK                     KID
//	password    the password itself                  ""            ""                            random
//	hmac        base64url, no padding, of the key    ""            ""                            random
//	ed25519     PKCS#8 PEM private key               PKIX PEM      OKP / Ed25519 / EdDSA         RFC 7638
//	ecdsa-p256  PKCS#8 PEM private key               PKIX PEM      EC / P-256 / ES256            RFC 7638
//	ecdsa-p384  PKCS#8 PEM private key               PKIX PEM      EC / P-384 / ES384            RFC 7638
//	rsa         PKCS#8 PEM private key               PKIX PEM      RSA / RS256 (e = AQAB)        RFC 7638
//
// PEM blocks are "PRIVATE KEY" (PKCS#8, RFC 5208) and "PUBLIC KEY" (PKIX,
// RFC 5280 SubjectPublicKeyInfo), each ending in a newline.
//
// The HMAC Secret is the raw key encoded with base64url without padding
// (RFC 4648 §5, [base64.RawURLEncoding]); consumers must decode it and use
// the decoded bytes as the key. This is the same encoding a JWK of kty "oct"
// uses for "k", so the string can be pasted into one unchanged.
//
// # JWK encoding
//
// The public JWK is compact JSON with its members in lexicographic order
// (alg, crv, e, kid, kty, n, use, x, y; whichever apply), so equal keys
// always give byte-identical JSON and Terraform sees no spurious diffs.
// Every JWK has use = "sig". EC coordinates are encoded at the full length of
// the curve (32 octets for P-256, 48 for P-384, RFC 7518 §6.2.1.2) from the
// uncompressed point, never from big.Int.Bytes, which drops leading zero
// octets for about one key in 128. The RSA modulus and exponent are
// Base64urlUInt (RFC 7518 §2, §6.3.1): unsigned big-endian with no leading
// zero octet; e is AQAB (65537) for every generated key.
//
// # Key IDs
//
// An asymmetric kid is the RFC 7638 JWK thumbprint of the public key with
// SHA-256, base64url without padding (43 characters); anyone holding the
// JWK can recompute it. A symmetric kid (password, hmac) is 128 random bits
// read from crypto/rand, base64url without padding (22 characters). It is
// never derived from the secret, so publishing the kid (for example in a JWT
// header) reveals nothing about the secret, and it is always read from
// crypto/rand even when Generate is given another random source.
//
// # Passwords
//
// A password is Length characters, each drawn independently and uniformly
// from the alphabet: [AlphabetAlphanumeric] (62 characters) or, with
// Special, [AlphabetAlphanumeric] + [AlphabetSpecial] (82 characters). The
// sampler reads one byte per candidate character and rejects bytes at or
// above the largest multiple of the alphabet size that fits in a byte (248
// for 62 characters, 246 for 82), so every character has exactly the same
// probability: no modulo bias. Nothing else is guaranteed; in particular a
// password is not forced to contain one character of each class, because
// that would make the distribution non-uniform. A system that insists on
// every class will therefore reject some passwords: with Special, no digit
// occurs with probability about 12.5% at length 16 and 1.6% at the default
// 32 (no special character: 1.1% and 0.013%); without Special, no digit
// occurs with probability 6.0% and 0.36%. Rotate again (rotate_triggers)
// if that happens.
//
// [AlphabetSpecial] is the default special set of the random_password
// resource of the hashicorp/random provider, minus "@": 20 characters,
// !#$%&*()-_=+[]{}<>:? . "@" is left out because Amazon RDS rejects it in
// master passwords and it ends the user-info part of URLs. There are no
// quotes, backslashes, spaces or backticks.
//
// Entropy: log2(62) ≈ 5.95 and log2(82) ≈ 6.36 bits per character, so the
// minimum length 16 gives at least 95 bits and the default 32 at least 190.
//
// # Randomness
//
// Generate reads from the io.Reader it is given (crypto/rand.Reader in
// production; nil means crypto/rand.Reader) for password characters, HMAC
// keys and Ed25519 seeds, so those are reproducible with a deterministic
// reader in tests. ECDSA and RSA keys are not: crypto/ecdsa.GenerateKey
// and crypto/rsa.GenerateKey either ignore a custom reader and use the
// system's generator (GODEBUG cryptocustomrand=0, the default for modules
// declaring go 1.26 or later), or read it through randutil.MaybeReadByte,
// which deliberately makes the result non-deterministic
// (cryptocustomrand=1, the default for modules declaring go 1.25, as this
// one does). Tests that need reproducible ECDSA or RSA keys set
// //go:debug cryptocustomrand=0 in a _test.go file and call
// testing/cryptotest.SetGlobalRandom (Go 1.26), which also makes symmetric
// kids reproducible; see cryptotest_test.go. With crypto/rand.Reader, as
// in production, both settings behave the same.
//
// # Secrets and errors
//
// No error message of this package contains secret material: errors name
// the attribute, the type or the PEM block type, never key bytes or
// password characters. [Material] redacts Secret from fmt and log/slog
// output.
package material
