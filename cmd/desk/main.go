// Command desk is newsmon's analyst desk: it keeps an index (SQLite, full text)
// of the ARTICLES and ALERTS streams and serves the console and JSON API
// over it (docs/desk.md).
//
//	desk [run] [flags]                          the service
//	desk users add NAME [-users FILE] [-role R] add or replace a user; the password is read from stdin
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"newsmon/cmd/internal/deskd"
	"newsmon/cmd/internal/envflag"
	"newsmon/cmd/internal/logflag"
	"newsmon/cmd/internal/natsconn"
	"newsmon/cmd/internal/opsserver"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/desk"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(os.Stderr, "desk: %v\n", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv envflag.Getenv, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd, args := envflag.Subcommand(args)
	switch cmd {
	case "run":
		return serve(ctx, args, getenv, stderr)
	case "users":
		return users(args, getenv, stdin, stdout, stderr)
	default:
		return fmt.Errorf("unknown command %q: want run or users", cmd)
	}
}

// serve is the desk: the index following ARTICLES, ALERTS and FEEDBACK,
// the console and API on -listen; health and metrics on -http.
func serve(ctx context.Context, args []string, getenv envflag.Getenv, stderr io.Writer) error {
	env := envflag.New("desk", stderr, getenv)
	var (
		logc  logflag.Flags
		natc  natsconn.Flags
		deskc = deskd.Settings{Index: "data/desk.db"}
		ops   opsserver.Server
	)
	logc.Register(env)
	natc.Register(env)
	deskc.Register(env, "")
	opsserver.Flag(env, &ops, "127.0.0.1:9103")
	if err := env.Parse(args); err != nil {
		return err
	}
	if err := deskc.Validate(); err != nil {
		return err
	}
	log, err := logc.Logger(stderr)
	if err != nil {
		return err
	}
	client, err := bus.Connect(ctx, natc.Options("desk"), log)
	if err != nil {
		return err
	}
	defer client.Close()
	reg := opsserver.NewRegistry()
	ops.Reg, ops.Ready = reg, natsconn.Ready(client)
	return opsserver.Run(ctx, "desk", ops, log, func(ctx context.Context) error {
		return deskd.Run(ctx, &deskc, client, reg, log, nil)
	})
}

// users runs `desk users add NAME`: the password is the first line of
// stdin, so it stays out of the shell's history and the process list.
func users(args []string, getenv envflag.Getenv, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: desk users add NAME [-users FILE] [-role reader|editor] < password")
	}
	env := envflag.New("desk users add", stderr, getenv)
	var file, role string
	env.String(&file, "users", "DESK_USERS", "users", "users file to write")
	env.String(&role, "role", "DESK_ROLE", desk.RoleReader, "reader (read and search) or editor (also feedback and backtests)")
	rest := args[1:]
	var name string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		name, rest = rest[0], rest[1:]
	}
	if err := env.Parse(rest); err != nil {
		return err
	}
	if name == "" && env.FS.NArg() == 1 {
		name = env.FS.Arg(0)
	} else if env.FS.NArg() > 0 {
		return fmt.Errorf("users add: unexpected arguments %q", env.FS.Args())
	}
	if name == "" {
		return errors.New("users add: give the user's NAME")
	}
	if f, ok := stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprint(stderr, "password (shown as typed; pipe it in to hide it): ")
		}
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 1024)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("users add: read password: %w", err)
	}
	if err := desk.AddUser(file, name, role, strings.TrimRight(line, "\r\n")); err != nil {
		return fmt.Errorf("users add %s: %w", name, err)
	}
	fmt.Fprintf(stdout, "%s: %s is a %s\n", file, name, role)
	return nil
}
