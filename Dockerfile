# One image for every Gridwatch service; the command picks the service (see docker-compose.yml).
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=optional --no-audit --no-fund
COPY . .
RUN npm run build:dashboard
ENV NODE_ENV=production DATA_DIR=/data
VOLUME /data
CMD ["npm", "start"]
