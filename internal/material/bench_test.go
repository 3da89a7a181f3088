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
