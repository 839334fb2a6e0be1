// Command secure-webapp synthesizes the secure-webapp CloudFormation
// templates: the log archive (logging account), and the baseline, data and
// service stacks of the workload account (package stacks). Run it through
// the CDK CLI (`make synth`, `npx cdk synth`), which passes cdk.json's
// context and `-c key=value` settings.
//
// Configuration is read and validated before any construct is built: a bad
// setting ends the program with every problem listed and nothing written.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/config"
	"github.com/secure-webapp/secure-webapp/constructs/compliance"
	"github.com/secure-webapp/secure-webapp/stacks"
)

func main() {
	code := run(nil, os.Stderr)
	jsii.Close()
	os.Exit(code)
}

// run synthesizes the app and returns the process exit code. props are extra
// App properties (tests set the context and output directory through them).
func run(props *awscdk.AppProps, stderr io.Writer) int {
	app := awscdk.NewApp(props)
	context, _ := app.Node().GetAllContext(nil).(map[string]any)
	cfg, err := config.Load(context)
	if err != nil {
		fmt.Fprint(stderr, "secure-webapp: "+config.FormatError(err))
		return 1
	}
	stacks.Build(app, cfg)
	if err := compliance.Guard(app, compliance.GuardRulesDir, string(cfg.Profile)); err != nil {
		fmt.Fprintln(stderr, "secure-webapp:", err)
		return 1
	}
	if err := synth(app); err != nil {
		// CDK has printed the findings (validation, cdk-nag) above.
		fmt.Fprintln(stderr, "secure-webapp: synthesis failed:", err)
		return 1
	}
	return 0
}

// synth synthesizes app, returning the error that jsii raises (a failed
// validation, such as a Control Tower rule) instead of panicking with a
// stack trace.
func synth(app awscdk.App) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	app.Synth(nil)
	return nil
}
