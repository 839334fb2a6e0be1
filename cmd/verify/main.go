// Command verify checks synthesized CloudFormation templates against every
// control of the registry (package controls), with no Node.js and no AWS
// access.
//
// Usage:
//
//	go run ./cmd/verify [-format text|json|markdown|sarif] [-o FILE] PATH...
//
// Each PATH is a cloud assembly directory (cdk.out) or a template file. The
// controls of an account check all of its stacks at once (controls.Evaluate).
// With a directory, every stack must be in it; with template files, the
// controls of an account whose stacks were not all given are reported as
// skipped.
//
// Exit status: 0 when every control passes, 1 when any fails (each failure
// names the control, the resource and the reason), 2 for unusable input.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/secure-webapp/secure-webapp/controls"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "report format: "+strings.Join(controls.Formats, ", "))
	out := fs.String("o", "", "write the report to this file instead of standard output")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: verify [-format text|json|markdown|sarif] [-o FILE] PATH...")
		fmt.Fprintln(stderr, "PATH is a cdk.out directory or a CloudFormation template file.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	valid := false
	for _, f := range controls.Formats {
		valid = valid || f == *format
	}
	if !valid {
		fmt.Fprintf(stderr, "verify: -format %q: use one of %s\n", *format, strings.Join(controls.Formats, ", "))
		return 2
	}

	templates, err := controls.LoadPaths(fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, "verify:", err)
		return 2
	}
	complete := false
	for _, p := range fs.Args() {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			complete = true
		}
	}
	results, err := controls.Evaluate(controls.All(), templates, complete)
	if err != nil {
		fmt.Fprintln(stderr, "verify:", err)
		return 2
	}

	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(stderr, "verify:", err)
			return 2
		}
		defer f.Close()
		w = f
	}
	if err := controls.WriteReport(w, *format, results); err != nil {
		fmt.Fprintln(stderr, "verify:", err)
		return 2
	}
	if controls.Failed(results) {
		if *format != "text" || *out != "" {
			fmt.Fprintln(stderr, "verify: one or more controls failed")
		}
		return 1
	}
	return 0
}
