package desk

import (
	"errors"
	"fmt"
	"strings"

	"kefu/server/authz"
	"kefu/server/hub"
	"kefu/store"
)

// Sites (网站管理): list, add, edit, disable; the embed code.

// SiteInput is what an admin sets of a site.
type SiteInput struct {
	Name    string
	Domains []string
	Secret  string // empty: make one (create) or keep it (update)
}

func (in *SiteInput) clean() error {
	in.Name = strings.TrimSpace(in.Name)
	if err := ValidateSiteName(in.Name); err != nil {
		return err
	}
	domains, err := ParseDomains(strings.Join(in.Domains, ","))
	if err != nil {
		return err
	}
	in.Domains = domains
	in.Secret = strings.TrimSpace(in.Secret)
	return ValidateSecret(in.Secret)
}

// Sites lists the sites the agent may manage in 网站管理.
func (s *AgentSession) Sites() ([]store.Site, error) {
	a, r, err := s.authorize(authz.Sites)
	if err != nil {
		return nil, err
	}
	all, err := s.d.allSites()
	if err != nil {
		return nil, err
	}
	var out []store.Site
	for _, site := range all {
		if authz.Can(a, r, authz.Sites, site.ID) {
			out = append(out, site)
		}
	}
	return out, nil
}

// AdminSites are the sites of the admin screens' site selector: those where the agent may
// use at least one admin module.
func (s *AgentSession) AdminSites() ([]store.Site, error) {
	a, r, err := s.d.agentRole(s.AgentID)
	if err != nil {
		return nil, err
	}
	all, err := s.d.allSites()
	if err != nil {
		return nil, err
	}
	var out []store.Site
	for _, site := range all {
		for _, m := range authz.AdminModules {
			if authz.Can(a, r, m, site.ID) {
				out = append(out, site)
				break
			}
		}
	}
	return out, nil
}

func (d *Desk) allSites() ([]store.Site, error) {
	var out []store.Site
	err := d.db.View(func(tx *store.Tx) error {
		var err error
		out, err = tx.Sites()
		return err
	})
	return out, err
}

// CreateSite adds a site; only an admin of all sites may.
func (s *AgentSession) CreateSite(in SiteInput) (*store.Site, error) {
	if _, _, err := s.authorize(authz.Sites, authz.EverySite); err != nil {
		return nil, err
	}
	if err := in.clean(); err != nil {
		return nil, err
	}
	if in.Secret == "" {
		in.Secret = randomToken(24)
	}
	site := &store.Site{Name: in.Name, Domains: in.Domains, Secret: in.Secret}
	err := s.d.db.Update(func(tx *store.Tx) error {
		if err := siteNameFree(tx, in.Name, 0); err != nil {
			return err
		}
		c := *site
		if err := tx.CreateSite(&c); err != nil {
			return err
		}
		*site = c
		return nil
	})
	var fe *FieldError
	if errors.As(err, &fe) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("create site: %w", err)
	}
	return site, nil
}

// siteNameFree refuses a name another site has (but except) already: the site selector and
// every list tell sites apart by name.
func siteNameFree(tx *store.Tx, name string, except uint64) error {
	sites, err := tx.Sites()
	if err != nil {
		return err
	}
	for _, s := range sites {
		if s.ID != except && strings.EqualFold(strings.TrimSpace(s.Name), name) {
			return fieldErr("site_name", "admin.err.site_taken")
		}
	}
	return nil
}

// UpdateSite changes a site's name, domains and secret.
func (s *AgentSession) UpdateSite(id uint64, in SiteInput) (*store.Site, error) {
	if _, _, err := s.authorize(authz.Sites, id); err != nil {
		return nil, err
	}
	if err := in.clean(); err != nil {
		return nil, err
	}
	var out store.Site
	err := s.d.db.Update(func(tx *store.Tx) error {
		site, err := tx.Site(id)
		if err != nil {
			return ErrNoSite
		}
		if err := siteNameFree(tx, in.Name, id); err != nil {
			return err
		}
		site.Name, site.Domains = in.Name, in.Domains
		if in.Secret != "" {
			site.Secret = in.Secret
		}
		out = *site
		return tx.PutSite(site)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// SetSiteDisabled disables (停用) or enables a site. The default site is never disabled.
func (s *AgentSession) SetSiteDisabled(id uint64, disabled bool) error {
	if _, _, err := s.authorize(authz.Sites, id); err != nil {
		return err
	}
	if id == store.DefaultSiteID && disabled {
		return ErrDefaultSite
	}
	err := s.d.db.Update(func(tx *store.Tx) error {
		site, err := tx.Site(id)
		if err != nil {
			return ErrNoSite
		}
		site.Disabled = disabled
		return tx.PutSite(site)
	})
	if err == nil && disabled {
		// Open widgets of the site close; new ones are refused at arrival.
		s.d.hub.ToSiteVisitors(id, hub.Bye{Code: "disabled", Text: s.d.cfg.Lang.T("visitor.site_disabled")})
	}
	return err
}

// EmbedBase is the address the embed code shows when the admin has not said where kefu's web
// port is reachable from the site's pages.
const EmbedBase = "https://kefu.example.com"

// EmbedCode is the site's embed line with kefu's public address (--public-url).
func (d *Desk) EmbedCode(siteID uint64) string { return EmbedCode(d.cfg.PublicURL, siteID) }

// EmbedCode is the one line a site owner pastes into their pages (嵌入代码).
func EmbedCode(base string, siteID uint64) string {
	if base == "" {
		base = EmbedBase
	}
	return fmt.Sprintf(`<script src="%s/widget.js?site=%d" async></script>`, strings.TrimSuffix(base, "/"), siteID)
}
