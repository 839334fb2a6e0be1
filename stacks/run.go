package stacks

import (
	"fmt"
	"io"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/secure-webapp/secure-webapp/config"
	"github.com/secure-webapp/secure-webapp/constructs/compliance"
)

// Run is the program the CDK CLI runs (main.go): it reads the settings from
// the app's context (props may add to it, and set the output directory),
// builds every stack (Build), adds AWS Control Tower's proactive controls,
// the rule files under guardRules, to CDK's built-in validation
// (compliance.Guard) and synthesizes. A bad setting ends it before anything
// is built or written, with every problem in one message on stderr; a
// failed validation or cdk-nag error ends it after CDK's own report. It
// returns the process's exit status.
func Run(props *awscdk.AppProps, guardRules string, stderr io.Writer) int {
	app := awscdk.NewApp(props)
	context, _ := app.Node().GetAllContext(nil).(map[string]any)
	cfg, err := config.Load(context)
	if err != nil {
		fmt.Fprint(stderr, "secure-webapp: "+config.FormatError(err))
		return 1
	}
	Build(app, cfg)
	if err := compliance.Guard(app, guardRules, string(cfg.Profile)); err != nil {
		fmt.Fprintln(stderr, "secure-webapp:", err)
		return 1
	}
	if err := Synth(app); err != nil {
		// CDK has printed the findings (validation, cdk-nag) above.
		fmt.Fprintln(stderr, "secure-webapp: synthesis failed:", err)
		return 1
	}
	return 0
}

// Synth synthesizes app, returning the error that jsii raises (a failed
// validation, such as a Control Tower rule) instead of panicking with a
// stack trace.
func Synth(app awscdk.App) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	app.Synth(nil)
	return nil
}
