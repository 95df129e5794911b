//! Which policy covers a ticket: an organization's contract first, then the service's
//! policy, then the category's, else the desk's default (docs/ARCHITECTURE.md, "SLA
//! policy"). The store reads the candidate policies, [`covering_policy`] chooses.

use crate::string_enum;

string_enum!(
    /// How a policy comes to cover a ticket, declared in precedence order (so the
    /// derived order is the precedence: lower wins).
    Coverage {
        /// Assigned to the ticket's organization (a contract).
        Organization = "organization",
        /// Assigned to the ticket's service.
        Service = "service",
        /// Assigned to the ticket's category.
        Category = "category",
        /// The desk's default policy.
        Default = "default",
    }
);

/// The candidate that covers the ticket: the one whose coverage comes first in
/// precedence; `None` without candidates. Of several with the same coverage (which the
/// store's unique assignments rule out) the first wins.
pub fn covering_policy<T>(candidates: impl IntoIterator<Item = (Coverage, T)>) -> Option<T> {
    let mut best: Option<(Coverage, T)> = None;
    for (coverage, policy) in candidates {
        if best.as_ref().is_none_or(|(b, _)| coverage < *b) {
            best = Some((coverage, policy));
        }
    }
    best.map(|(_, policy)| policy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_organizations_contract_beats_service_category_and_default() {
        let candidates = [
            (Coverage::Default, "default"),
            (Coverage::Category, "category"),
            (Coverage::Organization, "contract"),
            (Coverage::Service, "service"),
        ];
        assert_eq!(covering_policy(candidates), Some("contract"));
    }

    #[test]
    fn the_default_covers_only_when_nothing_else_does() {
        assert_eq!(
            covering_policy([(Coverage::Default, 1), (Coverage::Category, 2)]),
            Some(2)
        );
        assert_eq!(covering_policy([(Coverage::Default, 1)]), Some(1));
        assert_eq!(covering_policy::<i32>([]), None);
    }

    fn coverage() -> impl Strategy<Value = Coverage> {
        prop_oneof![
            Just(Coverage::Organization),
            Just(Coverage::Service),
            Just(Coverage::Category),
            Just(Coverage::Default),
        ]
    }

    proptest! {
        /// The chosen candidate has the best coverage among them, whatever their order.
        #[test]
        fn the_best_coverage_wins_in_any_order(
            candidates in proptest::collection::vec(coverage(), 0..6),
        ) {
            let indexed: Vec<(Coverage, usize)> =
                candidates.iter().copied().zip(0..).collect();
            let chosen = covering_policy(indexed.iter().copied());
            let best = candidates.iter().min().copied();
            prop_assert_eq!(chosen.map(|i| candidates[i]), best);
            let mut reversed = indexed.clone();
            reversed.reverse();
            let chosen_reversed = covering_policy(reversed);
            prop_assert_eq!(chosen_reversed.map(|i| candidates[i]), best);
        }
    }
}
