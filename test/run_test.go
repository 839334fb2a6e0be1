package test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/config"
	"github.com/secure-webapp/secure-webapp/constructs/compliance"
	"github.com/secure-webapp/secure-webapp/stacks"
)

// The program the CDK CLI runs (stacks.Run, main.go), tested in this
// binary, whose jsii kernel is already running (under jsiiMu).

// TestBadConfigurationStopsBeforeSynthesis: a user's mistake ends the program
// with exit status 1 and one message naming every bad key, and writes nothing.
func TestBadConfigurationStopsBeforeSynthesis(t *testing.T) {
	t.Parallel()
	jsiiMu.Lock()
	defer jsiiMu.Unlock()
	out := filepath.Join(t.TempDir(), "cdk.out")
	var stderr bytes.Buffer
	code := stacks.Run(&awscdk.AppProps{
		Outdir:  jsii.String(out),
		Context: &map[string]any{"vpcCidr": "10.0.0.0/33", "profile": "prod", "regoin": "us-east-1"},
	}, filepath.Join("..", compliance.GuardRulesDir), &stderr)
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

// TestUnacknowledgedGuardFindingFailsSynthesis: with the Control Tower rules
// in CDK's built-in validation (compliance.Guard, as stacks.Run adds them)
// and the feature flag of cdk.json that makes findings errors, a resource
// that breaks a rule without an acknowledged exception fails the synthesis,
// and stacks.Synth returns that as an error, not a panic.
//
// Setting up CDK's validation engine takes seconds of the jsii kernel, which
// the syntheses need: the test runs in a second process of this test
// binary, with a kernel of its own, on another processor.
func TestUnacknowledgedGuardFindingFailsSynthesis(t *testing.T) {
	const child = "SECURE_WEBAPP_TEST_CHILD"
	if os.Getenv(child) == "" {
		t.Parallel()
		cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$")
		cmd.Env = append(os.Environ(), child+"=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s in its own process: %v\n%s", t.Name(), err, out)
		}
		return
	}
	ctx, err := config.CDKContext("../cdk.json")
	if err != nil {
		t.Fatal(err)
	}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir()), Context: &ctx})
	stack := awscdk.NewStack(app, jsii.String("Weakened"), nil)
	awss3.NewCfnBucket(stack, jsii.String("Bucket"), &awss3.CfnBucketProps{}) // no Block Public Access: CT.S3.PR.1
	if err := compliance.Guard(app, filepath.Join("..", compliance.GuardRulesDir), "sandbox"); err != nil {
		t.Fatal(err)
	}
	if err := stacks.Synth(app); err == nil || !strings.Contains(err.Error(), "Validation failed") {
		t.Errorf("a bucket without Block Public Access synthesized: %v", err)
	}
}
