//! Which view of the roll each class of caller gets: the one decision of
//! who may see what, for both doors.
//!
//! | class | view | may |
//! |---|---|---|
//! | `staff` | [`View::Staff`] | search with full answers, reverse lookups, station counts |
//! | `kiosk` | [`View::Kiosk`] | find one voter's own station from surname, given name and full birth date |
//! | `anonymous` | as [`AnonymousPolicy`] says | the kiosk view (tighter quotas), nothing, or (closed deployments only) the staff view |
//!
//! A caller may always ask for a narrower view than its role gives
//! (`view=kiosk`): the kiosk page does, whatever the server's settings.

use crate::admission::Class;
use crate::error::LookupError;

/// What an answer may show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Ranked voters with every field the roll gives, and match details.
    Staff,
    /// One voter's own station, order number and name as a check, or
    /// "not found" / "several voters fit"; nothing else.
    Kiosk,
}

impl View {
    /// The name of the view in requests and answers.
    pub fn as_str(self) -> &'static str {
        match self {
            View::Staff => "staff",
            View::Kiosk => "kiosk",
        }
    }

    /// Reads a `view` parameter; `parameter` names it in the error.
    pub fn parse(text: &str) -> Result<Option<View>, LookupError> {
        match text.trim() {
            "" => Ok(None),
            "staff" => Ok(Some(View::Staff)),
            "kiosk" => Ok(Some(View::Kiosk)),
            other => Err(LookupError::invalid(
                "view",
                format!("`{other}` is not a view: use `kiosk` or `staff`"),
            )),
        }
    }
}

/// What callers without a known API key get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnonymousPolicy {
    /// The kiosk view, with the anonymous class's tighter quotas: the
    /// default once any API key is configured.
    Kiosk,
    /// Refused (`403 permission_denied`): the choice for a server that
    /// only known devices reach (every kiosk gets a key).
    Deny,
    /// The staff view: for a closed deployment on a private network, the
    /// default only when no API key is configured at all (`demo`, a
    /// desk-only server), and announced at start.
    Staff,
}

impl AnonymousPolicy {
    /// Reads `--anonymous`.
    pub fn parse(text: &str) -> Option<AnonymousPolicy> {
        match text.trim() {
            "kiosk" => Some(AnonymousPolicy::Kiosk),
            "deny" => Some(AnonymousPolicy::Deny),
            "staff" => Some(AnonymousPolicy::Staff),
            _ => None,
        }
    }

    /// Its name in settings.
    pub fn as_str(self) -> &'static str {
        match self {
            AnonymousPolicy::Kiosk => "kiosk",
            AnonymousPolicy::Deny => "deny",
            AnonymousPolicy::Staff => "staff",
        }
    }

    /// The default: the kiosk view when keys exist (a server with keys
    /// has callers to tell apart), the staff view when none do.
    pub fn default_for(keys_configured: bool) -> AnonymousPolicy {
        if keys_configured {
            AnonymousPolicy::Kiosk
        } else {
            AnonymousPolicy::Staff
        }
    }
}

/// The role table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Roles {
    /// What keyless callers get.
    pub anonymous: AnonymousPolicy,
}

impl Default for Roles {
    fn default() -> Self {
        Roles {
            anonymous: AnonymousPolicy::Staff,
        }
    }
}

impl Roles {
    /// The view a search by `class` gets when it asks for `requested`.
    pub fn search_view(&self, class: Class, requested: Option<View>) -> Result<View, LookupError> {
        let granted = match class {
            Class::Staff => View::Staff,
            Class::Kiosk => View::Kiosk,
            Class::Anonymous => match self.anonymous {
                AnonymousPolicy::Kiosk => View::Kiosk,
                AnonymousPolicy::Staff => View::Staff,
                AnonymousPolicy::Deny => return Err(denied(class, "searches")),
            },
        };
        Ok(match (granted, requested) {
            // Narrower than granted: always.
            (_, Some(View::Kiosk)) => View::Kiosk,
            (View::Staff, _) => View::Staff,
            (View::Kiosk, None) => View::Kiosk,
            (View::Kiosk, Some(View::Staff)) => {
                return Err(denied(class, "the staff view"));
            }
        })
    }

    /// Succeeds when `class` has the staff view: reverse lookups and the
    /// stations' voter counts are for staff only.
    pub fn require_staff(&self, class: Class, what: &str) -> Result<(), LookupError> {
        match self.search_view(class, None) {
            Ok(View::Staff) => Ok(()),
            _ => Err(denied(class, what)),
        }
    }
}

fn denied(class: Class, what: &str) -> LookupError {
    LookupError::PermissionDenied(format!("the {} role may not use {what}", class.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn each_class_gets_its_view_and_may_narrow_it() {
        let roles = Roles {
            anonymous: AnonymousPolicy::Kiosk,
        };
        assert_eq!(roles.search_view(Class::Staff, None), Ok(View::Staff));
        assert_eq!(
            roles.search_view(Class::Staff, Some(View::Kiosk)),
            Ok(View::Kiosk)
        );
        assert_eq!(roles.search_view(Class::Kiosk, None), Ok(View::Kiosk));
        assert_eq!(roles.search_view(Class::Anonymous, None), Ok(View::Kiosk));
        let widened = roles
            .search_view(Class::Kiosk, Some(View::Staff))
            .unwrap_err();
        assert_eq!(widened.kind(), ErrorKind::PermissionDenied);
        assert!(widened.to_string().contains("kiosk role"), "{widened}");
    }

    #[test]
    fn reverse_lookups_are_for_staff_only() {
        let roles = Roles {
            anonymous: AnonymousPolicy::Kiosk,
        };
        assert!(roles.require_staff(Class::Staff, "reverse lookups").is_ok());
        for class in [Class::Kiosk, Class::Anonymous] {
            let error = roles.require_staff(class, "reverse lookups").unwrap_err();
            assert_eq!(error.kind(), ErrorKind::PermissionDenied);
            assert!(error.to_string().contains(class.as_str()), "{error}");
        }
    }

    #[test]
    fn deny_refuses_keyless_callers_and_staff_opens_a_closed_server() {
        let deny = Roles {
            anonymous: AnonymousPolicy::Deny,
        };
        let error = deny.search_view(Class::Anonymous, None).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::PermissionDenied);
        assert!(error.to_string().contains("anonymous role"), "{error}");
        assert_eq!(deny.search_view(Class::Kiosk, None), Ok(View::Kiosk));
        let open = Roles {
            anonymous: AnonymousPolicy::Staff,
        };
        assert_eq!(open.search_view(Class::Anonymous, None), Ok(View::Staff));
        assert!(open.require_staff(Class::Anonymous, "counts").is_ok());
    }

    #[test]
    fn the_default_depends_on_whether_keys_exist() {
        assert_eq!(AnonymousPolicy::default_for(true), AnonymousPolicy::Kiosk);
        assert_eq!(AnonymousPolicy::default_for(false), AnonymousPolicy::Staff);
        for policy in [
            AnonymousPolicy::Kiosk,
            AnonymousPolicy::Deny,
            AnonymousPolicy::Staff,
        ] {
            assert_eq!(AnonymousPolicy::parse(policy.as_str()), Some(policy));
        }
        assert_eq!(View::parse("kiosk"), Ok(Some(View::Kiosk)));
        assert_eq!(View::parse(""), Ok(None));
        assert_eq!(View::parse("admin").unwrap_err().parameter(), Some("view"));
    }
}
