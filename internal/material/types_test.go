package material

import (
	"strings"
	"testing"
)

func TestParseType(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"password", "hmac", "ed25519", "ecdsa-p256", "ecdsa-p384", "rsa"} {
		got, err := ParseType(s)
		if err != nil || string(got) != s {
			t.Errorf("ParseType(%q) = %q, %v; want %q, nil", s, got, err, s)
		}
		if !got.Valid() {
			t.Errorf("%q.Valid() = false", got)
		}
	}
	if got := strings.Join(TypeNames(), ","); got != "password,hmac,ed25519,ecdsa-p256,ecdsa-p384,rsa" {
		t.Errorf("TypeNames() = %s", got)
	}
	for _, s := range []string{"", "RSA", "Password", "ecdsa", "ecdsa-p521", "ed448", " rsa", "rsa ", "x25519", strings.Repeat("z", 500)} {
		_, err := ParseType(s)
		if err == nil {
			t.Errorf("ParseType(%q) succeeded", s)
			continue
		}
		msg := err.Error()
		for _, want := range []string{"type must be one of", `"password"`, `"hmac"`, `"ed25519"`, `"ecdsa-p256"`, `"ecdsa-p384"`, `"rsa"`} {
			if !strings.Contains(msg, want) {
				t.Errorf("ParseType(%q) error %q does not contain %q", s, msg, want)
			}
		}
		if len(msg) > 300 {
			t.Errorf("ParseType error is %d bytes long; the input must be cut", len(msg))
		}
	}
}

func TestAsymmetricAndAlgorithm(t *testing.T) {
	t.Parallel()
	want := map[Type]struct {
		asym bool
		alg  string
	}{
		TypePassword:  {false, ""},
		TypeHMAC:      {false, "HS256"},
		TypeEd25519:   {true, "EdDSA"},
		TypeECDSAP256: {true, "ES256"},
		TypeECDSAP384: {true, "ES384"},
		TypeRSA:       {true, "RS256"},
		Type("nope"):  {false, ""},
	}
	for ty, w := range want {
		if got := ty.Asymmetric(); got != w.asym {
			t.Errorf("%q.Asymmetric() = %v, want %v", ty, got, w.asym)
		}
		if got := ty.Algorithm(); got != w.alg {
			t.Errorf("%q.Algorithm() = %q, want %q", ty, got, w.alg)
		}
	}
}

func TestDefaultOptions(t *testing.T) {
	t.Parallel()
	o := DefaultOptions()
	if o != (Options{Length: 32, Special: true, HMACBytes: 32, RSABits: 3072}) {
		t.Fatalf("DefaultOptions() = %+v", o)
	}
	for _, ty := range Types() {
		if err := o.Validate(ty); err != nil {
			t.Errorf("DefaultOptions().Validate(%q) = %v", ty, err)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	t.Parallel()
	ok := DefaultOptions()
	with := func(f func(*Options)) Options { o := ok; f(&o); return o }
	tests := []struct {
		name string
		t    Type
		o    Options
		want string // "" = valid; otherwise the exact message
	}{
		{"password min", TypePassword, with(func(o *Options) { o.Length = 16 }), ""},
		{"password max", TypePassword, with(func(o *Options) { o.Length = 1024 }), ""},
		{"password no special", TypePassword, with(func(o *Options) { o.Special = false }), ""},
		{"password too short", TypePassword, with(func(o *Options) { o.Length = 15 }),
			"length must be between 16 and 1024 (default 32), got 15"},
		{"password zero", TypePassword, with(func(o *Options) { o.Length = 0 }),
			"length must be between 16 and 1024 (default 32), got 0"},
		{"password negative", TypePassword, with(func(o *Options) { o.Length = -5 }),
			"length must be between 16 and 1024 (default 32), got -5"},
		{"password too long", TypePassword, with(func(o *Options) { o.Length = 1025 }),
			"length must be between 16 and 1024 (default 32), got 1025"},
		{"password ignores hmac and rsa", TypePassword, with(func(o *Options) { o.HMACBytes = 1; o.RSABits = 1 }), ""},

		{"hmac min", TypeHMAC, with(func(o *Options) { o.HMACBytes = 32 }), ""},
		{"hmac 64", TypeHMAC, with(func(o *Options) { o.HMACBytes = 64 }), ""},
		{"hmac max", TypeHMAC, with(func(o *Options) { o.HMACBytes = 1024 }), ""},
		{"hmac too small", TypeHMAC, with(func(o *Options) { o.HMACBytes = 31 }),
			"hmac_bytes must be between 32 and 1024 (default 32), got 31"},
		{"hmac zero", TypeHMAC, Options{},
			"hmac_bytes must be between 32 and 1024 (default 32), got 0"},
		{"hmac too large", TypeHMAC, with(func(o *Options) { o.HMACBytes = 1025 }),
			"hmac_bytes must be between 32 and 1024 (default 32), got 1025"},
		{"hmac ignores length", TypeHMAC, with(func(o *Options) { o.Length = 1 }), ""},

		{"rsa 2048", TypeRSA, with(func(o *Options) { o.RSABits = 2048 }), ""},
		{"rsa 3072", TypeRSA, with(func(o *Options) { o.RSABits = 3072 }), ""},
		{"rsa 4096", TypeRSA, with(func(o *Options) { o.RSABits = 4096 }), ""},
		{"rsa 1024", TypeRSA, with(func(o *Options) { o.RSABits = 1024 }),
			"rsa_bits must be one of 2048, 3072 or 4096 (default 3072), got 1024"},
		{"rsa 2047", TypeRSA, with(func(o *Options) { o.RSABits = 2047 }),
			"rsa_bits must be one of 2048, 3072 or 4096 (default 3072), got 2047"},
		{"rsa 8192", TypeRSA, with(func(o *Options) { o.RSABits = 8192 }),
			"rsa_bits must be one of 2048, 3072 or 4096 (default 3072), got 8192"},
		{"rsa zero", TypeRSA, Options{},
			"rsa_bits must be one of 2048, 3072 or 4096 (default 3072), got 0"},

		{"ed25519 zero options", TypeEd25519, Options{}, ""},
		{"p256 zero options", TypeECDSAP256, Options{}, ""},
		{"p384 zero options", TypeECDSAP384, Options{}, ""},
		{"unknown type", Type("dsa"), ok,
			`type must be one of "password", "hmac", "ed25519", "ecdsa-p256", "ecdsa-p384", "rsa", got "dsa"`},
	}
	for _, tc := range tests {
		err := tc.o.Validate(tc.t)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: Validate = %v, want nil", tc.name, err)
		case tc.want != "" && err == nil:
			t.Errorf("%s: Validate = nil, want %q", tc.name, tc.want)
		case tc.want != "" && err.Error() != tc.want:
			t.Errorf("%s: Validate = %q, want %q", tc.name, err.Error(), tc.want)
		}
		// Generate validates first and returns the same error.
		if tc.want != "" {
			if _, gerr := Generate(tc.t, tc.o, nil); gerr == nil || gerr.Error() != tc.want {
				t.Errorf("%s: Generate error = %v, want %q", tc.name, gerr, tc.want)
			}
		}
	}
}
