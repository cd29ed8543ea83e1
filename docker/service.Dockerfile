# One image per service, built from its module: docker compose build passes MODULE and MAIN_CLASS.
FROM maven:3.9.11-eclipse-temurin-21 AS build
ARG MODULE
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests -pl ${MODULE} -am package \
 && mvn -B -q -pl ${MODULE} dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=/app/lib \
 && cp ${MODULE}/target/${MODULE}-*.jar /app/lib/

FROM eclipse-temurin:21-jre
ARG MAIN_CLASS
ENV MAIN_CLASS=${MAIN_CLASS}
RUN useradd --system --home /app image-manager
COPY --from=build /app/lib /app/lib
USER image-manager
WORKDIR /app
ENTRYPOINT ["sh", "-c", "exec java -XX:MaxRAMPercentage=75 -cp '/app/lib/*' \"$MAIN_CLASS\""]
