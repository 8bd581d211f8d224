//! What a refused plain form post is sent back with. The redirect names one
//! of our own messages by its code (`?error=<code>`), and for a refused
//! setting the setting (`&field=<key>`); the page shows that code's text
//! from this catalogue, so nothing written in a URL — by us or by whoever
//! crafted a link — ever appears on the page as the site's own words.
//!
//! A refusal whose message is in the catalogue is sent back as that entry;
//! any other as the general entry for its kind (the hydrated form shows the
//! full message from the JSON answer instead).

use super::ApiError;

macro_rules! catalogue {
    ($($name:ident = $code:literal => $text:literal,)*) => {
        /// One message a page may show for a refused plain post.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum SentBack {
            $($name,)*
        }

        impl SentBack {
            const ALL: &'static [SentBack] = &[$(SentBack::$name,)*];

            /// How the redirect names it.
            pub fn code(self) -> &'static str {
                match self {
                    $(SentBack::$name => $code,)*
                }
            }

            /// What the page says.
            pub fn text(self) -> &'static str {
                match self {
                    $(SentBack::$name => $text,)*
                }
            }
        }
    };
}

catalogue! {
    WrongCredentials = "wrong_credentials" => "invalid email or password",
    EmailTaken = "email_taken" => "an account with this email already exists",
    InvalidEmail = "invalid_email" => "please enter a valid email address",
    InvalidName = "invalid_name" => "please enter your name (at most 100 characters)",
    ShortPassword = "short_password" => "the password must be at least 8 characters long",
    LongPassword = "long_password" => "the password can be at most 1024 characters long",
    SlugLength = "workspace_name_length" => "a workspace name must be 3 to 63 characters long",
    SlugCharacters = "workspace_name_characters" => "a workspace name may only contain lowercase letters a-z, digits and hyphens",
    SlugHyphen = "workspace_name_hyphen" => "a workspace name cannot start or end with a hyphen",
    SlugPunycode = "workspace_name_punycode" => "a workspace name cannot have \"--\" as its third and fourth characters: such names are internationalised addresses, which browsers may show as look-alikes of other names",
    SlugReserved = "workspace_name_reserved" => "that workspace name is reserved; please choose another",
    WorkspaceTaken = "workspace_taken" => "a workspace with that name already exists",
    NoWorkspace = "no_workspace" => "there is no workspace by that name here",
    LastAdmin = "last_admin" => "a workspace keeps at least one admin",
    CurrentSession = "current_session" => "this is the session you are using; sign out to end it",
    CurrentDevice = "current_device" => "this is the device you are using; sign out to end it",
    InvalidSetting = "invalid_setting" => "this value is not allowed here; the help under the field says what is",
    WrongCode = "wrong_code" => "that code is not right",
    WrongPassword = "wrong_password" => "that password is not right",
    EnrolFirst = "enrol_first" => "set up two-step sign-in first: this workspace asks you for it",
    AlreadyEnrolled = "already_enrolled" => "two-step sign-in is already on; turn it off first",
    NotEnrolled = "not_enrolled" => "two-step sign-in is not on",
    NoEnrolment = "no_enrolment" => "no set-up is under way; start again",
    StepUpRequired = "step_up_required" => "confirm it is you again to do that: a code from your authenticator app, or your password if you have none",
    BadRequest = "bad_request" => "please check what you entered and try again",
    Unauthorized = "unauthorized" => "please sign in and try again",
    Forbidden = "forbidden" => "you are not allowed to do that",
    NotFound = "not_found" => "that was not found; it may have been removed already",
    Conflict = "conflict" => "that cannot be done right now; the page shows why",
    TooManyRequests = "too_many_requests" => "too many attempts; please wait a few minutes and try again",
    Unavailable = "unavailable" => "this is unavailable right now; please try again shortly",
    Failed = "failed" => "something went wrong on our side; please try again",
}

/// Messages that name what was typed (and so match no entry whole), by
/// how they begin.
const NAMING: &[(&str, SentBack)] = &[
    (super::NO_WORKSPACE, SentBack::NoWorkspace),
    ("a workspace named ", SentBack::WorkspaceTaken),
    ("storage for ", SentBack::WorkspaceTaken),
    ("\"", SentBack::SlugReserved),
];

impl SentBack {
    /// The entry a code names; `None` for anything else.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.code() == code)
    }

    /// How a refusal is sent back: its own entry when the catalogue has its
    /// message (or, for messages that name what was typed, their kind),
    /// else the general one for its kind.
    pub fn of(error: &ApiError) -> Self {
        let message = error.message();
        if let Some(known) = Self::ALL.iter().copied().find(|s| s.text() == message) {
            return known;
        }
        for (start, entry) in NAMING {
            if message.starts_with(start) {
                return *entry;
            }
        }
        match error {
            ApiError::BadRequest(_)
            | ApiError::PayloadTooLarge(_)
            | ApiError::HeadersTooLarge(_) => SentBack::BadRequest,
            ApiError::Unauthorized(_) => SentBack::Unauthorized,
            ApiError::Forbidden(_) => SentBack::Forbidden,
            ApiError::StepUpRequired(_) => SentBack::StepUpRequired,
            ApiError::NotFound(_) => SentBack::NotFound,
            ApiError::Conflict(_) => SentBack::Conflict,
            ApiError::TooManyRequests(_) => SentBack::TooManyRequests,
            ApiError::Unavailable(_) | ApiError::Busy(_) => SentBack::Unavailable,
            ApiError::Internal(_) => SentBack::Failed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_name_one_entry_each_and_nothing_else() {
        for entry in SentBack::ALL {
            assert_eq!(SentBack::from_code(entry.code()), Some(*entry));
        }
        for foreign in [
            "",
            "Your account was suspended, call 555-0100",
            "WRONG_CREDENTIALS",
        ] {
            assert_eq!(SentBack::from_code(foreign), None, "{foreign}");
        }
    }

    #[test]
    fn a_known_message_is_its_entry_and_any_other_its_kind() {
        let wrong = ApiError::Unauthorized("invalid email or password".into());
        assert_eq!(SentBack::of(&wrong), SentBack::WrongCredentials);
        let named = ApiError::no_workspace("initech");
        assert_eq!(SentBack::of(&named), SentBack::NoWorkspace);
        let other = ApiError::NotFound("no such session".into());
        assert_eq!(SentBack::of(&other), SentBack::NotFound);
    }
}
