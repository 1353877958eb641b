"""The root GraphQL schema, composed from each app's schema module."""

import graphene

from accounts.schema import Mutation as AccountsMutation
from budgets.schema import Mutation as BudgetsMutation
from budgets.schema import Query as BudgetsQuery
from evidence.schema import Mutation as EvidenceMutation
from evidence.schema import Query as EvidenceQuery
from findings.schema import Mutation as FindingsMutation
from findings.schema import Query as FindingsQuery
from handbooks.schema import Mutation as HandbooksMutation
from handbooks.schema import Query as HandbooksQuery
from reviews.schema import Mutation as ReviewsMutation
from reviews.schema import Query as ReviewsQuery
from surveys.schema import Mutation as SurveysMutation
from surveys.schema import Query as SurveysQuery
from tenancy.schema import Query as TenancyQuery


class Query(
    TenancyQuery,
    HandbooksQuery,
    ReviewsQuery,
    EvidenceQuery,
    FindingsQuery,
    BudgetsQuery,
    SurveysQuery,
    graphene.ObjectType,
):
    pass


class Mutation(
    AccountsMutation,
    HandbooksMutation,
    ReviewsMutation,
    EvidenceMutation,
    FindingsMutation,
    BudgetsMutation,
    SurveysMutation,
    graphene.ObjectType,
):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
