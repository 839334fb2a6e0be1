// Package handler holds the function of constructs/emptybucket's custom
// resource, Custom::EmptyOnRollback: index.js, which runs on Lambda's
// Node.js runtime with the AWS SDK that runtime carries. Its test runs it
// with the SDK stubbed, without linking the CDK.
package handler

import (
	_ "embed"
	"strings"
)

// Source is the function's code, index.js.
//
//go:embed index.js
var Source string

// Inline is Source without its comment lines, as CloudFormation takes it
// inline (ZipFile, at most 4,096 characters).
func Inline() string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(Source, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "//") {
			b.WriteString(line)
		}
	}
	return b.String()
}
