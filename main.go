// Command secure-webapp synthesizes the secure-webapp CloudFormation
// templates: the log archive and the logging account's baselines, and the
// baselines, data and service stacks of the workload account (package
// stacks). Run it through the CDK CLI (`make synth`, `npx cdk synth`),
// which passes cdk.json's context and `-c key=value` settings.
//
// Configuration is read and validated before any construct is built: a bad
// setting ends the program with every problem listed and nothing written
// (stacks.Run, tested in test/run_test.go).
package main

import (
	"os"

	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/constructs/compliance"
	"github.com/secure-webapp/secure-webapp/stacks"
)

func main() {
	code := stacks.Run(nil, compliance.GuardRulesDir, os.Stderr)
	jsii.Close()
	os.Exit(code)
}
