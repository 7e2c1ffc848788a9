using HybridFlow.Api.Contracts;
using HybridFlow.Application.Common.Models;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace HybridFlow.Api.Swagger;

/// <summary>A PATCH field is documented as its value; only the [Clearable] ones also accept null.</summary>
public sealed class OptionalSchemaFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema concrete || !context.Type.IsGenericType || context.Type.GetGenericTypeDefinition() != typeof(Optional<>)) return;
        var clearable = context.MemberInfo?.IsDefined(typeof(ClearableAttribute), inherit: false) == true;
        if (clearable) concrete.Type |= JsonSchemaType.Null;
        else concrete.Type &= ~JsonSchemaType.Null;
    }
}
