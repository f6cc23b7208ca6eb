"""Entity normalisation: mentions -> canonical names within an article, entities across the corpus.

`link_mentions` resolves one article (surnames, acronyms, spelling variants, places);
`link_across_articles` merges them across articles (short forms, variants, one label);
`build_entities` counts the linked mentions of the whole corpus into entities and aliases.
"""
from pipeline.entities.across import CrossLinks, cross_article_links, decide_links, link_across_articles, mention_groups
from pipeline.entities.aliases import AliasRule, curated_alias_rules, read_alias_rules
from pipeline.entities.catalogue import build_entities
from pipeline.entities.linking import link_mentions
from pipeline.entities.places import Place, PlaceResolver, default_place_resolver, outlet_country

__all__ = [
    "AliasRule", "CrossLinks", "Place", "PlaceResolver", "build_entities", "curated_alias_rules", "default_place_resolver",
    "cross_article_links", "decide_links", "link_across_articles", "link_mentions", "mention_groups", "outlet_country",
    "read_alias_rules",
]
