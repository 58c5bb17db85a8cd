package desk

import (
	"errors"

	"kefu/server/i18n"
	"kefu/store"
)

// Refusals of the admin actions. Explain words each in the reader's language.
var (
	ErrNoSite        = errors.New("no such site")
	ErrNoAgent       = errors.New("no such agent")
	ErrNoRole        = errors.New("no such role")
	ErrNoKey         = errors.New("no such key")
	ErrDefaultSite   = errors.New("the default site cannot be disabled")
	ErrBuiltinRole   = errors.New("built-in roles cannot be changed or deleted")
	ErrRoleInUse     = errors.New("the role is held by agents")
	ErrRoleTaken     = errors.New("a role with that name exists")
	ErrLoginTaken    = errors.New("account, phone or email belongs to another agent")
	ErrKeyTaken      = errors.New("the key is registered already")
	ErrBadKey        = errors.New("not an SSH public key")
	ErrTooManyKeys   = errors.New("too many keys")
	ErrSelf          = errors.New("not on your own account")
	ErrNotServing    = errors.New("the agent does not serve the site")
	ErrRoleTooStrong = errors.New("the role grants more than your own")
)

// FieldError is a value that fails validation. Field names the input ("account",
// "password"…); Key and Args are its explanation in the catalog.
type FieldError struct {
	Field string
	Key   string
	Args  []any
}

func (e *FieldError) Error() string { return "invalid " + e.Field + " (" + e.Key + ")" }

func fieldErr(field, key string, args ...any) error {
	return &FieldError{Field: field, Key: key, Args: args}
}

// Explain is what a person reads when an admin action fails: a sentence in their language,
// never a Go error string.
func Explain(err error, l i18n.Lang) string {
	var fe *FieldError
	if errors.As(err, &fe) {
		return l.T(fe.Key, fe.Args...)
	}
	for _, e := range []struct {
		err error
		key string
	}{
		{ErrForbidden, "admin.err.forbidden"},
		{ErrNoSite, "admin.err.no_site"},
		{ErrSiteDisabled, "admin.err.no_site"},
		{ErrNoAgent, "admin.err.no_agent"},
		{ErrNoRole, "admin.err.no_role"},
		{ErrNoKey, "admin.err.no_key"},
		{ErrDefaultSite, "admin.err.default_site"},
		{ErrBuiltinRole, "admin.err.builtin_role"},
		{ErrRoleInUse, "admin.err.role_in_use"},
		{ErrRoleTaken, "admin.err.role_taken"},
		{ErrLoginTaken, "admin.err.login_taken"},
		{ErrKeyTaken, "admin.err.key_taken"},
		{ErrBadKey, "admin.err.bad_key"},
		{ErrTooManyKeys, "admin.err.too_many_keys"},
		{ErrSelf, "admin.err.self"},
		{ErrNotServing, "admin.err.not_serving"},
		{ErrRoleTooStrong, "admin.err.role_too_strong"},
		{store.ErrNotFound, "admin.err.not_found"},
	} {
		if errors.Is(err, e.err) {
			return l.T(e.key)
		}
	}
	return l.T("admin.err.failed")
}
