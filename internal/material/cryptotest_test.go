//go:build go1.26

// cryptocustomrand=0 is the default for this module (it declares go 1.26);
// setting it here as well keeps the recipe for deterministic keys in tests
// explicit and independent of the go directive: GODEBUG
// cryptocustomrand=0 plus cryptotest.SetGlobalRandom.

//go:debug cryptocustomrand=0

package material

import (
	"bytes"
	"testing"
	"testing/cryptotest"
)

// TestDeterministicWithGlobalRandom documents the behaviour described in
// the package documentation: with cryptocustomrand=0, ECDSA and RSA ignore
// the reader given to Generate, and testing/cryptotest.SetGlobalRandom
// makes every type reproducible. Not parallel: SetGlobalRandom changes the
// whole process.
func TestDeterministicWithGlobalRandom(t *testing.T) {
	o := DefaultOptions()
	o.RSABits = 2048
	for _, ty := range Types() {
		cryptotest.SetGlobalRandom(t, 1)
		a, err := Generate(ty, o, nil)
		if err != nil {
			t.Fatal(err)
		}
		cryptotest.SetGlobalRandom(t, 1)
		b, err := Generate(ty, o, nil)
		if err != nil {
			t.Fatal(err)
		}
		if a != b {
			t.Errorf("%s: SetGlobalRandom did not make Generate reproducible", ty)
		}
		if ty == TypeECDSAP256 || ty == TypeECDSAP384 || ty == TypeRSA {
			cryptotest.SetGlobalRandom(t, 1)
			c, err := Generate(ty, o, bytes.NewReader(make([]byte, 1<<16)))
			if err != nil {
				t.Fatal(err)
			}
			if c.Secret != a.Secret {
				t.Errorf("%s: the custom reader was used; update the package documentation", ty)
			}
		}
	}
}
