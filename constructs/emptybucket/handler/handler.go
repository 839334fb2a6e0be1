// Package handler holds the function of constructs/emptybucket's custom
// resource, Custom::EmptyOnRollback: index.js, which runs on Lambda's
// Node.js runtime with the AWS SDK that runtime carries. Its test runs it
// with the SDK stubbed, without linking the CDK.
package handler

import _ "embed"

// Source is the function's code, index.js.
//
//go:embed index.js
var Source string
