//! One distinct credential per answered query: a bipartite matching
//! (augmenting paths), each query trying its candidates in preference order.

use std::collections::{HashMap, HashSet};

/// For each query (its candidate credential ids, best first), the index of
/// the candidate it gets, no credential twice; or the position of a query
/// that cannot get one of its own.
pub(crate) fn assign(candidates: &[Vec<&str>]) -> Result<Vec<usize>, usize> {
    let mut owner: HashMap<&str, usize> = HashMap::new();
    let mut choice: Vec<usize> = vec![0; candidates.len()];
    for query in 0..candidates.len() {
        let mut tried = HashSet::new();
        if !augment(query, candidates, &mut owner, &mut choice, &mut tried) {
            return Err(query);
        }
    }
    Ok(choice)
}

fn augment<'a>(
    query: usize,
    candidates: &[Vec<&'a str>],
    owner: &mut HashMap<&'a str, usize>,
    choice: &mut [usize],
    tried: &mut HashSet<&'a str>,
) -> bool {
    for (i, credential) in candidates[query].iter().enumerate() {
        if !tried.insert(credential) {
            continue;
        }
        let free = match owner.get(credential).copied() {
            None => true,
            Some(other) => augment(other, candidates, owner, choice, tried),
        };
        if free {
            owner.insert(credential, query);
            choice[query] = i;
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::assign;

    #[test]
    fn each_query_gets_its_own_credential() {
        // The first query prefers the only credential the second can use.
        assert_eq!(assign(&[vec!["a", "b"], vec!["a"]]), Ok(vec![1, 0]));
        assert_eq!(assign(&[vec!["a"], vec!["b", "a"]]), Ok(vec![0, 0]));
        assert_eq!(assign(&[vec!["a"], vec!["a"]]), Err(1));
        // The third query moves the first, which moves the second.
        assert_eq!(
            assign(&[vec!["a", "b"], vec!["b", "c"], vec!["a", "b"]]),
            Ok(vec![1, 1, 0])
        );
        assert_eq!(assign(&[vec!["a", "b"], vec!["a", "b"], vec!["b"]]), Err(2));
        assert_eq!(assign(&[]), Ok(vec![]));
    }
}
