package tfjson

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

func benchFile(b *testing.B) []byte {
	p := os.Getenv("TFJSON_BENCH_PLAN")
	if p == "" {
		b.Skip("TFJSON_BENCH_PLAN not set")
	}
	data, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func BenchmarkReadX(b *testing.B) {
	data := benchFile(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read("plan.json", bytes.NewReader(data), ReadOptions{MaxMemory: -1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeX(b *testing.B) {
	data := benchFile(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			b.Fatal(err)
		}
	}
}
