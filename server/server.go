// Package server assembles the running kefu: the store, the live hub, the desk, the web front
// door for visitors and the SSH front door for staff. New opens and binds everything; Run
// serves until its context ends and then shuts down in reverse order.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"time"

	"golang.org/x/sync/errgroup"

	"kefu/server/desk"
	"kefu/server/geo"
	"kefu/server/hub"
	"kefu/server/i18n"
	"kefu/server/sshd"
	"kefu/server/web"
	"kefu/store"
)

// Config is everything `kefu serve` can be told.
type Config struct {
	DataDir        string
	HTTPAddr       string // ":8080"; "127.0.0.1:0" in tests
	SSHAddr        string // ":2222"
	Lang           i18n.Lang
	AdminPassword  string // first start only; empty generates one
	TrustedProxies []netip.Prefix
	Workbench      sshd.Workbench
	Version        string
	Log            *slog.Logger
	Desk           desk.Config // timing overrides (tests)
}

// Server is a running kefu.
type Server struct {
	cfg   Config
	DB    *store.DB
	Hub   *hub.Hub
	Desk  *desk.Desk
	web   *web.Server
	ssh   *sshd.Server
	httpL net.Listener
	sshL  net.Listener
	ctlL  net.Listener

	// AdminPassword is the generated password of admin on first start, else "".
	AdminPassword string
	// Created reports whether this start created the database's first site and admin.
	Created bool
}

// New opens the data dir, prepares the database and binds both ports. Errors are ready to
// show to a person: a data dir in use says so.
func New(cfg Config) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Workbench == nil {
		return nil, errors.New("server: no workbench")
	}
	// Load the IP database now, so the first visitor does not wait and a broken build shows.
	if err := geo.Load(); err != nil {
		return nil, fmt.Errorf("IP region database: %w", err)
	}
	db, err := store.Open(cfg.DataDir, store.Options{})
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, DB: db, Hub: hub.New(nil)}
	fail := func(err error) (*Server, error) {
		s.closeAll()
		return nil, err
	}
	dcfg := cfg.Desk
	dcfg.Lang, dcfg.Log = cfg.Lang, cfg.Log
	if s.Desk, err = desk.New(db, s.Hub, dcfg); err != nil {
		return fail(err)
	}
	if s.AdminPassword, s.Created, err = s.Desk.Bootstrap(cfg.AdminPassword); err != nil {
		return fail(fmt.Errorf("prepare database: %w", err))
	}
	if s.web, err = web.New(web.Config{Desk: s.Desk, TrustedProxies: cfg.TrustedProxies, Log: cfg.Log}); err != nil {
		return fail(err)
	}
	if s.ssh, err = sshd.New(sshd.Config{Desk: s.Desk, HostKeyPath: filepath.Join(cfg.DataDir, "ssh_host_ed25519_key"),
		Workbench: cfg.Workbench, Lang: cfg.Lang, Version: cfg.Version, Log: cfg.Log}); err != nil {
		return fail(err)
	}
	if s.httpL, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
		return fail(fmt.Errorf("listen for HTTP on %s: %w", cfg.HTTPAddr, err))
	}
	if s.sshL, err = net.Listen("tcp", cfg.SSHAddr); err != nil {
		return fail(fmt.Errorf("listen for SSH on %s: %w", cfg.SSHAddr, err))
	}
	if s.ctlL, err = listenControl(cfg.DataDir); err != nil {
		return fail(err)
	}
	return s, nil
}

// HTTPAddr is the bound HTTP address (useful with port 0).
func (s *Server) HTTPAddr() string { return s.httpL.Addr().String() }

// SSHAddr is the bound SSH address.
func (s *Server) SSHAddr() string { return s.sshL.Addr().String() }

// Run serves until ctx ends, then shuts down: SSH sessions are told why, visitors are told to
// reconnect, in-flight messages are committed, and the database is closed.
func (s *Server) Run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.web.Serve(s.httpL) })
	g.Go(func() error { return s.ssh.Serve(s.sshL) })
	g.Go(func() error { return s.serveControl(s.ctlL) })
	g.Go(func() error {
		<-gctx.Done()
		s.ctlL.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// Reverse order of dependence: front doors first, then the desk, then the store.
		serr := s.ssh.Shutdown(sctx)
		werr := s.web.Shutdown(sctx)
		return errors.Join(serr, werr)
	})
	err := g.Wait()
	s.Desk.Close()
	if cerr := s.DB.Close(); cerr != nil && err == nil {
		err = cerr
	}
	return err
}

// closeAll releases what New opened when New fails.
func (s *Server) closeAll() {
	if s.httpL != nil {
		s.httpL.Close()
	}
	if s.sshL != nil {
		s.sshL.Close()
	}
	if s.ctlL != nil {
		s.ctlL.Close()
	}
	if s.Desk != nil {
		s.Desk.Close()
	}
	s.DB.Close()
}
