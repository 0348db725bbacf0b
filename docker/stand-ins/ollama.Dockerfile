# A STAND-IN for the `ollama/ollama` image, for scripts/compose-check.sh only: the repository's stand-in Ollama
# server (deterministic lexical embeddings and canned chat answers, no model weights) behind an `ollama` command
# with the subcommands docker/ollama-entrypoint.sh and the compose healthcheck use. Tagged
# `ollama/ollama:zhiku-stand-in`, so a real `ollama/ollama` image is never replaced.
# Build context: a folder with stand-in/ (packages/stand-in-ollama/dist) and ollama-cli.mjs, made by the check.
FROM node:20-bookworm-slim
COPY stand-in /opt/stand-in
COPY ollama-cli.mjs /opt/stand-in/ollama-cli.mjs
RUN printf '{ "type": "module" }\n' > /opt/stand-in/package.json \
  && ln -s /opt/stand-in/ollama-cli.mjs /usr/local/bin/ollama \
  && chmod 755 /opt/stand-in/ollama-cli.mjs
LABEL org.zhiku.stand-in=ollama
EXPOSE 11434
ENTRYPOINT ["ollama"]
CMD ["serve"]
