package material

import (
	"strconv"
	"testing"
)

// BenchmarkGenerate measures Generate per type with the default options
// (rsa: 3072 bits), reading from crypto/rand. ns/op is the time to issue
// one version.
func BenchmarkGenerate(b *testing.B) {
	for _, ty := range Types() {
		b.Run(string(ty), func(b *testing.B) {
			o := DefaultOptions()
			for b.Loop() {
				if _, err := Generate(ty, o, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGenerateRSA measures every allowed rsa_bits value.
func BenchmarkGenerateRSA(b *testing.B) {
	for _, bits := range RSABitsAllowed() {
		b.Run(strconv.Itoa(bits), func(b *testing.B) {
			o := DefaultOptions()
			o.RSABits = bits
			for b.Loop() {
				if _, err := Generate(TypeRSA, o, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPublicFromSecret measures the state check per asymmetric type.
func BenchmarkPublicFromSecret(b *testing.B) {
	for _, ty := range Types() {
		if !ty.Asymmetric() {
			continue
		}
		b.Run(string(ty), func(b *testing.B) {
			m, err := Generate(ty, DefaultOptions(), nil)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, _, _, err := PublicFromSecret(ty, m.Secret); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDerive measures Derive per derivable type with the default
// options, plus the longest password. ns/op is the time to derive one
// version, which the ephemeral resource does for every accepted version.
func BenchmarkDerive(b *testing.B) {
	seed := []byte("bench-seed-0123456789abcdef-0123456789abcdef")
	salt := NewSalt()
	long := DefaultOptions()
	long.Length = MaxLength
	cases := []struct {
		name string
		t    Type
		o    Options
	}{
		{"password", TypePassword, DefaultOptions()},
		{"password-1024", TypePassword, long},
		{"hmac", TypeHMAC, DefaultOptions()},
		{"ed25519", TypeEd25519, DefaultOptions()},
		{"ecdsa-p256", TypeECDSAP256, DefaultOptions()},
		{"ecdsa-p384", TypeECDSAP384, DefaultOptions()},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			in := DeriveInfo{SecretID: "bench", Version: 1, Type: tc.t, Options: tc.o}
			for b.Loop() {
				if _, err := Derive(seed, salt, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSeedFingerprint measures the per-version seed check.
func BenchmarkSeedFingerprint(b *testing.B) {
	seed := []byte("bench-seed-0123456789abcdef-0123456789abcdef")
	for b.Loop() {
		_ = SeedFingerprint(seed)
	}
}

// BenchmarkVerifyDerived measures the check of derived material against
// state per asymmetric type.
func BenchmarkVerifyDerived(b *testing.B) {
	seed := []byte("bench-seed-0123456789abcdef-0123456789abcdef")
	salt := NewSalt()
	for _, ty := range []Type{TypeEd25519, TypeECDSAP256, TypeECDSAP384} {
		b.Run(string(ty), func(b *testing.B) {
			m, err := Derive(seed, salt, DeriveInfo{SecretID: "bench", Version: 1, Type: ty, Options: DefaultOptions()})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := VerifyDerived(m, m.KID, m.PublicJWK); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
