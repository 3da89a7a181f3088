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
// Derived material (below) keeps the asymmetric kid and replaces the
// random symmetric kid with a separate HKDF output, unrelated to the
// secret but reproducible from the seed.
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
// declaring go 1.26 or later, as this one does), or read it through
// randutil.MaybeReadByte, which deliberately makes the result
// non-deterministic (cryptocustomrand=1, the default for older modules).
// Tests that need reproducible ECDSA or RSA keys keep
// //go:debug cryptocustomrand=0 in a _test.go file and call
// testing/cryptotest.SetGlobalRandom (Go 1.26), which also makes symmetric
// kids reproducible; see cryptotest_test.go. With crypto/rand.Reader, as
// in production, both settings behave the same.
//
// # Derived material
//
// In derived mode (material = "derived", issue 12) no private or symmetric
// material is stored: [Derive] recomputes each version's material from a
// seed held outside state. Everything in this section is a compatibility
// contract: a version derived today must derive identically in every later
// release. testdata/derive_vectors.json pins it with golden vectors
// computed by an independent Python implementation
// (testdata/derive_vectors.py); a change to any of it is a new scheme
// ("rotation/v2/..."), never an edit.
//
// Inputs. The seed is the material seed exactly as configured, as bytes
// (UTF-8, never trimmed, hashed or hex-decoded; [ParseSeed]: at least
// [MinSeedLength] characters, no white space at either end). The salt is
// random per version ([NewSalt], 32 bytes; [MinSaltBytes] to
// [MaxSaltBytes] accepted) and public, kept in state ([EncodeSalt]). The
// [DeriveInfo] names the secret's stable id, the version (1 or more), the
// type and its options.
//
// Key schedule, HKDF with SHA-256 (RFC 5869):
//
//	PRK  = HKDF-Extract(salt = salt_v, IKM = seed)
//	info = "rotation/v1/" + <secret id> + "/" + <version> + "/" + <type spec>
//	material stream = HKDF-Expand(PRK, info, L)        (the first bytes, as needed)
//	symmetric kid   = HKDF-Expand(PRK, info + "/kid", 16)
//
// <version> is decimal without sign or leading zeros. <type spec> holds the
// type and every option that changes the material, and nothing else:
//
//	password     password:length=<length>:special=<true|false>
//	hmac         hmac:bytes=<hmac_bytes>
//	ed25519      ed25519
//	ecdsa-p256   ecdsa-p256
//	ecdsa-p384   ecdsa-p384
//
// For example "rotation/v1/3f1c2b9e-8d47-4c1a-9b5e-2a7d6f0c4e81/1/password:length=32:special=true".
// The secret id is non-empty UTF-8 without control characters, at most
// [MaxSecretIDBytes] bytes, and may contain "/": the version and the type
// spec never do, so an info string read from the right gives back its
// three parts, and a kid info (ending in "/kid", which is no type spec)
// never equals a material info.
//
// Consuming the material stream. HKDF output is prefix-consistent, so the
// stream is simply HKDF-Expand(PRK, info, 8160) read from the start, 8160
// (255 × 32) bytes being the most one HKDF-Expand can give. No type can
// need more, so there is no chaining:
//
//   - password: one byte per candidate, in order; a byte b below
//     256 − 256 mod N (N = 62 or 82, the alphabet size; see Passwords) is
//     accepted as alphabet[b mod N], any other byte is skipped, until
//     length characters are accepted. The sampler gives up after
//     4 × length + 64 bytes (4160 for the maximum 1024 characters), with a
//     probability far below 2^-128.
//   - hmac: the first hmac_bytes bytes are the key; Secret is their
//     base64url encoding without padding.
//   - ed25519: the first 32 bytes are the RFC 8032 private key (the seed of
//     ed25519.NewKeyFromSeed).
//   - ecdsa-p256, ecdsa-p384: consecutive blocks of 32 or 48 bytes (the
//     byte length of the group order n), each a big-endian candidate c; the
//     first with 1 ≤ c ≤ n − 1 is the private scalar d. Every d in
//     [1, n − 1] is equally likely, as with FIPS 186-5 A.2.2 (which adds one
//     to c ≤ n − 2 instead of rejecting zero: a different but equally
//     uniform map). A candidate is rejected with probability below 2^-32
//     (P-256) or 2^-190 (P-384); after 64 rejections Derive returns an
//     error. ECDSA keys are built with ecdsa.ParseRawPrivateKey, never
//     ecdsa.GenerateKey, which ignores a custom random source.
//
// Secret, PublicKeyPEM and PublicJWK then have the formats of Generate;
// asymmetric kids are the RFC 7638 thumbprint as always, and symmetric
// kids are the 16-byte kid output above, base64url without padding (22
// characters): never derived from the material, yet checkable by whoever
// holds the seed.
//
// rsa cannot be derived: crypto/rsa generates keys only from the system
// random generator and its prime search is not promised to stay the same
// across Go releases. [Derive] and [ValidateDerivable] return an error
// wrapping [ErrNotDerivable] that says to use ed25519 or ecdsa, or keep
// rsa with material = "state".
//
// Seed fingerprint. [SeedFingerprint] is base64url without padding of the
// first 16 bytes of HMAC-SHA256(key = seed, message =
// "rotation/v1/seed-fingerprint"), 22 characters. It is stored with each
// derived version; [SeedFor] and [SeedsFor] pick, among the current and
// previous seeds, the one that reproduces each version, and a version no
// configured seed reproduces is an error ([SeedMismatchError]), never
// different keys. [VerifyDerived] then checks derived material against the
// kid and public JWK in state, and [PublicFromPEM] a derived version's
// stored public key against its kid (there is no private key to compare
// with). [PrivateJWK] encodes a version's material as a private JWK for
// consumers (the ephemeral resource rotation_secret_material); the
// provider never stores it.
//
// # Secrets and errors
//
// No error message of this package contains secret material: errors name
// the attribute, the type or the PEM block type, never key bytes or
// password characters. [Material] redacts Secret from fmt and log/slog
// output.
package material
