//! The ids of rows that have no domain id type: calendars, policies, rules, jobs and
//! notifications.

macro_rules! row_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);

        impl $name {
            /// The raw database value.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

row_id!(
    /// A stored business calendar.
    CalendarId
);
row_id!(
    /// A stored SLA policy.
    PolicyId
);
row_id!(
    /// A routing or escalation rule.
    RuleId
);
row_id!(
    /// A due job.
    JobId
);
row_id!(
    /// An in-app notification.
    NotificationId
);
