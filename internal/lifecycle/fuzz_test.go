package lifecycle

import (
	"fmt"
	"testing"
	"time"
)

// FuzzEngine decodes the fuzz input into a schedule, a mode and a sequence of
// (plan delay, apply delay, controls) steps (see runSequence: every choice
// reads one to four bytes; missing bytes read as zero) and checks the same
// invariants as the property test after every step.
func FuzzEngine(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x00\x00\x00\x01 a series with few choices"))
	f.Add([]byte("\x00\x00\x00\x02\x00\x00\x00\x07 two-slot rotation with emergency revocations and pins, many steps ........................................................................"))
	for seed := range 8 {
		b := make([]byte, 600)
		for i := range b {
			b[i] = byte((i*131 + seed*977) ^ (i >> 3))
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// A sequence takes milliseconds; one that takes seconds is a loop
		// in the engine. Crash so that the fuzzer records the input.
		watchdog := time.AfterFunc(10*time.Second, func() {
			panic(fmt.Sprintf("FuzzEngine: input %q still running after 10s", data))
		})
		defer watchdog.Stop()
		if err := runSequence(&byteSource{b: data}, 40, nil); err != nil {
			t.Fatal(err)
		}
	})
}
