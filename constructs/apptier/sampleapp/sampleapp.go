// Package sampleapp is the sample web application the app tier's
// instances run (app.py, the one place a forker replaces) and the user data
// that installs it at boot (user-data.sh), rendered with the app's settings
// and the RDS root CAs. It is text only, with no CDK in it, so that its test
// builds and runs in a second.
package sampleapp

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"
)

var (
	//go:embed app.py
	appSource string
	//go:embed user-data.sh
	userDataSource string
)

// UploadPrefix is the one prefix of the application bucket the application
// writes under, and the instance role may write under.
const UploadPrefix = "uploads"

// Settings are what the user data carries, none of them secret. Bucket,
// DBHost and DBPort may be CDK tokens; CloudFormation resolves them.
type Settings struct {
	Region, Bucket, DBHost, DBPort, DBName, DBUser string
	// CABundle is the PEM bundle of the region's RDS root CAs.
	CABundle string
	// Port is the HTTPS port the application serves on.
	Port int
}

// UserData renders user-data.sh with the application, its settings and the
// RDS root CAs.
func UserData(s Settings) (string, error) {
	cfg, err := json.MarshalIndent(map[string]any{
		"region":   s.Region,
		"bucket":   s.Bucket,
		"prefix":   UploadPrefix,
		"port":     s.Port,
		"dbHost":   s.DBHost,
		"dbPort":   s.DBPort,
		"dbName":   s.DBName,
		"dbUser":   s.DBUser,
		"caBundle": "/etc/webapp/rds-ca.pem",
	}, "", "  ")
	if err != nil {
		return "", err
	}
	t, err := template.New("user-data").Option("missingkey=error").Parse(userDataSource)
	if err != nil {
		return "", fmt.Errorf("sampleapp/user-data.sh: %w", err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, map[string]string{"Config": string(cfg), "CABundle": s.CABundle, "App": strings.TrimRight(appSource, "\n")}); err != nil {
		return "", fmt.Errorf("sampleapp/user-data.sh: %w", err)
	}
	return b.String(), nil
}
