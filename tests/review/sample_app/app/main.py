"""The application: every router under /api/v1."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.api import auth, legacy, tasks, users

app = FastAPI(title="Sample", debug=True)  # expect: FA111
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)  # expect: FA110
app.include_router(auth.router, prefix="/api/v1")
app.include_router(tasks.router, prefix="/api/v1")
app.include_router(users.router, prefix="/api/v1")
app.include_router(legacy.router, prefix="/api/v1")
