//! Priority from impact and urgency.
//!
//! The desk assigns priority from two questions the first-line agent asks: how many
//! people are affected (impact) and how soon it hurts (urgency). The matrix follows the
//! usual ITIL shape, folded onto four levels: P1 is an enterprise-wide failure, P2 a
//! critical situation for a group, P3 regular service, P4 planned or scheduled work.

use crate::value::InvalidValue;

/// Declares a fieldless enum with a stable lowercase name per variant, used in the API,
/// in the database and in events. Renaming a variant's text is a breaking change.
#[macro_export]
macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable text of this value.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Reads the stable text back.
            ///
            /// # Errors
            /// [`InvalidValue`](crate::InvalidValue) listing the accepted values.
            pub fn parse(text: &str) -> Result<Self, $crate::InvalidValue> {
                match text {
                    $($text => Ok($name::$variant),)+
                    other => Err($crate::InvalidValue::new(
                        stringify!($name),
                        format!("'{other}' is not one of: {}", [$($text),+].join(", ")),
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// How widely a problem reaches.
    Impact {
        /// The whole organization (enterprise-wide).
        Organization = "organization",
        /// A department, site or team.
        Department = "department",
        /// One person.
        Individual = "individual",
    }
);

string_enum!(
    /// How soon the problem hurts the business.
    Urgency {
        /// Work has stopped.
        High = "high",
        /// Work is impaired.
        Medium = "medium",
        /// Work can go on.
        Low = "low",
    }
);

string_enum!(
    /// Priority, P1 (most urgent) to P4.
    Priority {
        /// Critical: an enterprise-wide failure.
        P1 = "p1",
        /// High: a critical situation for a group.
        P2 = "p2",
        /// Medium: regular service.
        P3 = "p3",
        /// Low: planned or scheduled work.
        P4 = "p4",
    }
);

impl Priority {
    /// Derives priority from the impact × urgency matrix.
    ///
    /// | impact \ urgency | high | medium | low |
    /// |---|---|---|---|
    /// | organization | P1 | P2 | P3 |
    /// | department   | P2 | P3 | P4 |
    /// | individual   | P3 | P4 | P4 |
    pub fn from_matrix(impact: Impact, urgency: Urgency) -> Priority {
        use Impact::*;
        use Urgency::*;
        match (impact, urgency) {
            (Organization, High) => Priority::P1,
            (Organization, Medium) | (Department, High) => Priority::P2,
            (Organization, Low) | (Department, Medium) | (Individual, High) => Priority::P3,
            (Department, Low) | (Individual, Medium) | (Individual, Low) => Priority::P4,
        }
    }

    /// 1 for P1 through 4 for P4; lower sorts first.
    pub fn rank(self) -> i64 {
        match self {
            Priority::P1 => 1,
            Priority::P2 => 2,
            Priority::P3 => 3,
            Priority::P4 => 4,
        }
    }

    /// The inverse of [`Priority::rank`].
    ///
    /// # Errors
    /// [`InvalidValue`] for a rank outside 1..=4.
    pub fn from_rank(rank: i64) -> Result<Priority, InvalidValue> {
        match rank {
            1 => Ok(Priority::P1),
            2 => Ok(Priority::P2),
            3 => Ok(Priority::P3),
            4 => Ok(Priority::P4),
            other => Err(InvalidValue::new(
                "priority",
                format!("rank {other} is not 1 to 4"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enterprise_wide_outage_that_stops_work_is_p1() {
        assert_eq!(
            Priority::from_matrix(Impact::Organization, Urgency::High),
            Priority::P1
        );
    }

    #[test]
    fn one_person_who_can_keep_working_is_p4() {
        assert_eq!(
            Priority::from_matrix(Impact::Individual, Urgency::Low),
            Priority::P4
        );
    }

    #[test]
    fn wider_impact_or_higher_urgency_never_lowers_priority() {
        for (i, impact) in Impact::ALL.iter().enumerate() {
            for (u, urgency) in Urgency::ALL.iter().enumerate() {
                let here = Priority::from_matrix(*impact, *urgency).rank();
                if i > 0 {
                    assert!(Priority::from_matrix(Impact::ALL[i - 1], *urgency).rank() <= here);
                }
                if u > 0 {
                    assert!(Priority::from_matrix(*impact, Urgency::ALL[u - 1]).rank() <= here);
                }
            }
        }
    }

    #[test]
    fn priority_text_round_trips_and_unknown_text_names_the_choices() {
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.as_str()).unwrap(), *p);
        }
        let err = Priority::parse("urgent").unwrap_err();
        assert!(err.message.contains("p1, p2, p3, p4"), "{}", err.message);
    }
}
