package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"newsmon/cmd/internal/envflag/envflagtest"
	"newsmon/pipeline/desk"
)

func TestUsersAdd(t *testing.T) {
	file := filepath.Join(t.TempDir(), "users")
	var out, errOut bytes.Buffer
	env := func(string) string { return "" }
	err := run(context.Background(), []string{"users", "add", "ed", "-users", file, "-role", "editor"}, env, strings.NewReader("a long password\n"), &out, &errOut)
	if err != nil || !strings.Contains(out.String(), "ed is a editor") {
		t.Fatalf("users add: %v %q %q", err, out.String(), errOut.String())
	}
	data, _ := os.ReadFile(file)
	users, err := desk.ParseUsers(file, data)
	if err != nil || users["ed"].Role != desk.RoleEditor {
		t.Fatalf("users file: %v %+v", err, users)
	}
	for _, bad := range [][]string{
		{"users", "add", "ed", "-users", file, "-role", "admin"},
		{"users", "add", "bad name", "-users", file},
		{"users", "add", "-users", file},
	} {
		if err := run(context.Background(), bad, env, strings.NewReader("a long password\n"), &out, &errOut); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if err := run(context.Background(), []string{"users", "add", "rita", "-users", file}, env, strings.NewReader("short\n"), &out, &errOut); err == nil ||
		!strings.Contains(err.Error(), "at least 8") {
		t.Errorf("short password: %v", err)
	}
}

// Anything but loopback needs users: the desk refuses to start without.
func TestRefusesOpenConsoleOffLoopback(t *testing.T) {
	var errOut bytes.Buffer
	err := run(context.Background(), []string{"-listen", "0.0.0.0:8080", "-nats", "nats://127.0.0.1:1"}, func(string) string { return "" },
		strings.NewReader(""), &errOut, &errOut)
	if err == nil || !strings.Contains(err.Error(), "give -users FILE") {
		t.Fatalf("err = %v", err)
	}
}

// Every variable deploy/env/desk.env sets is one `desk -h` names.
func TestDeployEnvFile(t *testing.T) {
	var help bytes.Buffer
	run(context.Background(), []string{"-h"}, func(string) string { return "" }, strings.NewReader(""), io.Discard, &help)
	envflagtest.CheckEnvFile(t, filepath.Join("..", "..", "deploy", "env", "desk.env"), help.String())
}
