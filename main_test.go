package main

import (
	"maps"
	"testing"
)

func TestQuietSDKLogs(t *testing.T) {
	off := map[string]string{"TF_LOG_SDK": "off", "TF_LOG_SDK_FRAMEWORK": "off", "TF_LOG_SDK_PROTO": "off"}
	for _, tc := range []struct {
		name    string
		environ []string
		want    map[string]string
	}{
		{"nobody asked for logs", []string{"HOME=/root", "TF_IN_AUTOMATION=1"}, off},
		{"an empty TF_LOG asks for nothing", []string{"TF_LOG="}, off},
		{"TF_LOG", []string{"TF_LOG=trace"}, map[string]string{}},
		{"provider logs only", []string{"TF_LOG_PROVIDER=debug"}, map[string]string{}},
		{"a level of the SDK", []string{"TF_LOG_SDK_FRAMEWORK=info"}, map[string]string{}},
		{"OpenTofu's variable", []string{"TOFU_LOG=debug"}, map[string]string{}},
		{"a variable that only looks alike", []string{"MY_TF_LOG=trace"}, off},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string]string{}
			quietSDKLogs(tc.environ, func(k, v string) error { got[k] = v; return nil })
			if !maps.Equal(got, tc.want) {
				t.Errorf("quietSDKLogs(%q) set %v, want %v", tc.environ, got, tc.want)
			}
		})
	}
}
