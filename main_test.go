package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// TestBadConfigurationStopsBeforeSynthesis: a user's mistake ends the program
// with exit status 1 and one message naming every bad key, and writes nothing.
func TestBadConfigurationStopsBeforeSynthesis(t *testing.T) {
	defer jsii.Close()
	out := filepath.Join(t.TempDir(), "cdk.out")
	var stderr bytes.Buffer
	code := run(&awscdk.AppProps{
		Outdir:  jsii.String(out),
		Context: &map[string]any{"vpcCidr": "10.0.0.0/33", "profile": "prod", "regoin": "us-east-1"},
	}, &stderr)
	if code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	msg := stderr.String()
	for _, want := range []string{"vpcCidr", `"10.0.0.0/33"`, "profile", `did you mean "region"`, "nothing was synthesized"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "panic") || strings.Contains(msg, "jsii") {
		t.Errorf("message shows internals:\n%s", msg)
	}
	if entries, _ := os.ReadDir(out); len(entries) > 0 {
		t.Errorf("%s has %d entries; nothing should be written", out, len(entries))
	}
}
