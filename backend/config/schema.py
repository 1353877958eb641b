"""The root GraphQL schema, composed from each app's schema module."""

import graphene

from tenancy.schema import Query as TenancyQuery


class Query(TenancyQuery, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query)
