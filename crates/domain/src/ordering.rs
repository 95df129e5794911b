//! Lists an admin orders by hand (custom fields, ticket templates): moving one item a
//! place up or down, and which items then need a new position.

use crate::InvalidValue;

/// Which way to move an item in an ordered list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// One place earlier.
    Up,
    /// One place later.
    Down,
}

impl Move {
    /// Reads `up` or `down`.
    ///
    /// # Errors
    /// [`InvalidValue`] (`direction`) for anything else.
    pub fn parse(text: &str) -> Result<Move, InvalidValue> {
        match text {
            "up" => Ok(Move::Up),
            "down" => Ok(Move::Down),
            _ => Err(InvalidValue::new("direction", "choose up or down")),
        }
    }
}

/// The items whose position changes when the item at `index` of a list (in its
/// order, with its current `positions`) moves one place: each as (its index in the
/// list, its new position), the list numbered from `first`. Nothing when it cannot
/// move (the first up, the last down, an index past the end).
pub fn renumbered(
    positions: &[i64],
    index: usize,
    direction: Move,
    first: i64,
) -> Vec<(usize, i64)> {
    let other = match direction {
        Move::Up => index.checked_sub(1),
        Move::Down => Some(index + 1),
    };
    let Some(other) = other.filter(|o| *o < positions.len() && index < positions.len()) else {
        return Vec::new();
    };
    let mut order: Vec<usize> = (0..positions.len()).collect();
    order.swap(index, other);
    (first..)
        .zip(order)
        .filter(|(position, item)| positions[*item] != *position)
        .map(|(position, item)| (item, position))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_up_swaps_with_the_one_before_and_numbers_the_list_again() {
        assert_eq!(renumbered(&[1, 2, 3], 2, Move::Up, 1), [(2, 2), (1, 3)]);
        // Gaps and duplicates left by older edits are numbered away too.
        assert_eq!(renumbered(&[0, 0, 7], 0, Move::Down, 0), [(0, 1), (2, 2)]);
    }

    #[test]
    fn the_ends_do_not_move_further() {
        assert!(renumbered(&[1, 2], 0, Move::Up, 1).is_empty());
        assert!(renumbered(&[1, 2], 1, Move::Down, 1).is_empty());
        assert!(renumbered(&[1, 2], 5, Move::Up, 1).is_empty());
    }

    #[test]
    fn a_direction_is_up_or_down() {
        assert_eq!(Move::parse("up"), Ok(Move::Up));
        assert_eq!(Move::parse("down"), Ok(Move::Down));
        assert_eq!(Move::parse("sideways").unwrap_err().field, "direction");
    }
}
