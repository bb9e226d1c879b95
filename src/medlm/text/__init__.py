"""Medical text analysis: entities, context, codes and trial-report facts."""
