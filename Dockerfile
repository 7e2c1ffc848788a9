# HybridFlow API image:  docker build -t hybridflow-api .   (or: docker compose up --build)
# Runtime configuration comes from the environment (DATABASE_URL, PORT, ADMIN_API_KEY, ...); see docker-compose.yml.

# ---- restore inputs only: project/props files, so the restore layer below is cached until they change
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS projects
WORKDIR /src
COPY . .
RUN find . -type f \
      ! -name '*.csproj' ! -name '*.props' ! -name '*.targets' ! -name '*.sln' ! -name '*.slnx' \
      ! -iname 'nuget.config' ! -name 'global.json' \
      -delete

# ---- build
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1
WORKDIR /src
COPY --from=projects /src/ ./
RUN dotnet restore src/HybridFlow.Api/HybridFlow.Api.csproj
# Everything else (sources, migrations/*.sql embedded by Infrastructure); bin/obj are excluded by .dockerignore.
COPY . .
RUN dotnet publish src/HybridFlow.Api -c Release -o /app --no-restore -p:UseAppHost=false

# ---- runtime
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
ENV PORT=8080 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 8080
# Non-root: the .NET images ship the unprivileged user `app` (uid in $APP_UID, 1654). App files stay root-owned.
USER $APP_UID
ENTRYPOINT ["dotnet", "HybridFlow.Api.dll"]
